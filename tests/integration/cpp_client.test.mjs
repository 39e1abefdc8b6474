// The C++ client end to end: the `spacehub` CLI's client subcommands (which reach the hub only
// through the spacehub::client library) and the manage_your_space example, against a test hub.
// Also checks cache compatibility with @huggingface/hub: a file the C++ client downloaded is found
// by the JS client's scanCacheDir, and a file the JS client downloaded is reused by the C++ client.
//
// Binaries: SPACEHUB_BIN (CLI + server, see harness.mjs) and SPACEHUB_EXAMPLE_BIN (default
// <build>/examples/manage_your_space next to the CLI's build tree).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync, readFileSync, lstatSync, realpathSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import * as hf from "@huggingface/hub";
import { startHub, makeTempDir, SPACEHUB_BIN, sha256 } from "./harness.mjs";

const EXAMPLE_BIN = process.env.SPACEHUB_EXAMPLE_BIN
  ? path.resolve(process.env.SPACEHUB_EXAMPLE_BIN)
  : path.join(path.dirname(SPACEHUB_BIN), "..", "..", "examples", "manage_your_space");

let hub;
let token;
let hfHome;

/** Runs a binary; resolves {code, stdout, stderr} (never rejects on a non-zero exit). */
function run(bin, args, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      {
        timeout: 120_000,
        maxBuffer: 64 << 20,
        env: { PATH: process.env.PATH, HF_ENDPOINT: hub.endpoint, HF_TOKEN: token, HF_HOME: hfHome, ...env },
      },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}
const cli = (args, opts) => run(SPACEHUB_BIN, args, opts);
async function ok(args, opts) {
  const r = await cli(args, opts);
  assert.equal(r.code, 0, `spacehub ${args.join(" ")} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}
const okJson = async (args, opts) => JSON.parse((await ok([...args, "--json"], opts)).stdout);

before(async () => {
  hub = await startHub();
  token = await hub.createUser("carl");
  await hub.admin(["hardware", "grant", "carl", "cpu-upgrade"]);
  hfHome = makeTempDir("spacehub-cpp-hfhome-");
});

after(async () => {
  if (hub) await hub.stop();
});

test("whoami and exit codes that tell errors apart", async () => {
  assert.equal((await okJson(["whoami"])).name, "carl");
  assert.equal((await cli(["whoami"], { env: { HF_TOKEN: "" } })).code, 3, "no token");
  assert.equal((await cli(["whoami"], { env: { HF_TOKEN: "hf_not_a_token" } })).code, 3, "401");
  const missing = await cli(["repo", "info", "carl/nope", "--json"]);
  assert.equal(missing.code, 4);
  const err = JSON.parse(missing.stderr.trim().split("\n").pop());
  assert.equal(err.kind, "RepositoryNotFound");
  assert.equal(err.status, 404);
  assert.ok(err.requestId, "request id carried");
  assert.equal((await cli(["repo", "info", "bad/id/x"])).code, 2, "bad repo id (usage)");
  assert.equal((await cli(["whoami", "--endpoint", "http://127.0.0.1:1"])).code, 12, "network refused");
  assert.equal((await cli(["repo", "create", "carl/dup"])).code, 0);
  assert.equal((await cli(["repo", "create", "carl/dup"])).code, 9, "conflict");
  assert.equal((await cli(["repo", "create", "carl/dup", "--exist-ok"])).code, 0);
  const help = await cli(["space", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /secrets/);
  assert.match(help.stdout, /Exit codes/);
});

test("create, list, upload a folder with a large LFS file, download it (resume too), delete", async () => {
  const created = await okJson(["repo", "create", "carl/weights"]);
  assert.equal(created.url, `${hub.endpoint}/carl/weights`);
  const listed = await okJson(["repo", "list", "--author", "carl"]);
  assert.ok(listed.some((r) => r.id === "carl/weights"));

  const dir = makeTempDir("spacehub-cpp-up-");
  const big = randomBytes(12 * 1024 * 1024 + 7);
  mkdirSync(path.join(dir, "nested", "deeper"), { recursive: true });
  mkdirSync(path.join(dir, ".git"));
  writeFileSync(path.join(dir, ".git", "HEAD"), "ignored\n");
  writeFileSync(path.join(dir, "big.bin"), big);
  writeFileSync(path.join(dir, "README.md"), "# weights\n");
  writeFileSync(path.join(dir, "nested", "deeper", "a b.txt"), "spaces in names\n");
  const up = await okJson(["upload", "carl/weights", dir, "--commit-message", "first"]);
  assert.match(up.commitOid, /^[0-9a-f]{40}$/);
  assert.equal(up.commitUrl, `${hub.endpoint}/carl/weights/commit/${up.commitOid}`);

  const info = await okJson(["repo", "info", "carl/weights"]);
  const names = info.siblings.map((s) => s.rfilename).filter((n) => n !== ".gitattributes").sort();
  assert.deepEqual(names, ["README.md", "big.bin", "nested/deeper/a b.txt"]);
  const bigEntry = info.siblings.find((s) => s.rfilename === "big.bin");
  assert.equal(bigEntry.lfs?.sha256, sha256(big), "big.bin went through LFS");

  // Same folder again: nothing changed, no new commit.
  const again = await okJson(["upload", "carl/weights", dir]);
  assert.equal(again.empty, true);
  assert.equal(again.commitOid, up.commitOid);

  const dl = await okJson(["download", "carl/weights", "big.bin", "nested/deeper/a b.txt"]);
  assert.equal(dl.length, 2);
  const p = dl[0].path;
  const repoDir = path.join(hfHome, "hub", "models--carl--weights");
  assert.equal(p, path.join(repoDir, "snapshots", up.commitOid, "big.bin"));
  assert.ok(lstatSync(p).isSymbolicLink());
  assert.equal(realpathSync(p), path.join(repoDir, "blobs", sha256(big)));
  assert.ok(readFileSync(p).equals(big), "downloaded bytes equal");
  assert.equal(readFileSync(path.join(repoDir, "refs", "main"), "utf8"), up.commitOid);
  assert.equal(readFileSync(dl[1].path, "utf8"), "spaces in names\n");

  // Interrupted download: a partial .incomplete is resumed with a Range request.
  const cache2 = makeTempDir("spacehub-cpp-resume-");
  const blobs2 = path.join(cache2, "models--carl--weights", "blobs");
  mkdirSync(blobs2, { recursive: true });
  writeFileSync(path.join(blobs2, `${sha256(big)}.incomplete`), big.subarray(0, 5_000_000));
  const resumed = await okJson(["download", "carl/weights", "big.bin", "--cache-dir", cache2]);
  assert.ok(readFileSync(resumed[0].path).equals(big), "resumed bytes equal");
  assert.ok(!existsSync(path.join(blobs2, `${sha256(big)}.incomplete`)), "no partial file left");

  // The whole revision (snapshot_download): every file under snapshots/<commit>/, refs/main written.
  const cache3 = makeTempDir("spacehub-cpp-snap-");
  const snap = await okJson(["download", "carl/weights", "--cache-dir", cache3]);
  assert.equal(snap.snapshot, path.join(cache3, "models--carl--weights", "snapshots", up.commitOid));
  assert.ok(readFileSync(path.join(snap.snapshot, "big.bin")).equals(big));
  assert.equal(readFileSync(path.join(snap.snapshot, "nested", "deeper", "a b.txt"), "utf8"), "spaces in names\n");
  assert.equal(readFileSync(path.join(cache3, "models--carl--weights", "refs", "main"), "utf8"), up.commitOid);

  // Missing file in an existing repo: EntryNotFound, exit 6; no half-written file in the cache, but
  // huggingface_hub's empty .no_exist/<commit>/<path> marker and the ref it resolved.
  assert.equal((await cli(["download", "carl/weights", "missing.bin"])).code, 6);
  const marker = path.join(repoDir, ".no_exist", up.commitOid, "missing.bin");
  assert.ok(statSync(marker).isFile() && statSync(marker).size === 0, "no_exist marker written");
  assert.equal((await cli(["download", "carl/weights", "sub/missing.txt"])).code, 6);
  assert.equal(statSync(path.join(repoDir, ".no_exist", up.commitOid, "sub", "missing.txt")).size, 0);
  assert.equal((await cli(["download", "carl/weights", "big.bin", "--revision", "nobranch"])).code, 5);

  await ok(["repo", "delete", "carl/dup"]);
  assert.equal((await cli(["repo", "delete", "carl/dup"])).code, 4);
  await ok(["repo", "delete", "carl/dup", "--missing-ok"]);
});

test("the JS client's cache scan finds what the C++ client downloaded, and the reverse", async () => {
  const scan = await hf.scanCacheDir(path.join(hfHome, "hub"));
  const repo = scan.repos.find((r) => r.id.name === "carl/weights" && r.id.type === "model");
  assert.ok(repo, `scanCacheDir saw ${JSON.stringify(scan.repos.map((r) => r.id))}; warnings ${scan.warnings}`);
  assert.equal(scan.warnings.length, 0, String(scan.warnings));
  const rev = repo.revisions[0];
  assert.ok(rev.refs.includes("main"));
  const files = rev.files.map((f) => f.path.split(`${rev.commitOid}/`)[1]).sort();
  assert.ok(files.includes("big.bin"), files.join(","));
  assert.ok(repo.size >= 12 * 1024 * 1024);

  // The reverse: @huggingface/hub downloads README.md into a fresh cache; the C++ client reuses it.
  const cache = makeTempDir("spacehub-cpp-js-");
  const jsPath = await hf.downloadFileToCacheDir({
    repo: "carl/weights", path: "README.md", cacheDir: cache, hubUrl: hub.endpoint, accessToken: token,
  });
  const before = statSync(realpathSync(jsPath)).mtimeMs;
  const cpp = await okJson(["download", "carl/weights", "README.md", "--cache-dir", cache]);
  assert.equal(cpp[0].path, jsPath);
  assert.equal(statSync(realpathSync(cpp[0].path)).mtimeMs, before, "blob reused, not rewritten");

  // Offline (HF_HUB_OFFLINE, the endpoint a closed port): the C++ client answers from a cache only
  // the JS client filled, through the refs/main it wrote.
  const jsSnap = makeTempDir("spacehub-cpp-js-snap-");
  const snapPath = await hf.snapshotDownload({
    repo: "carl/weights", cacheDir: jsSnap, hubUrl: hub.endpoint, accessToken: token,
  });
  const offline = { HF_HUB_OFFLINE: "1", HF_ENDPOINT: "http://127.0.0.1:1" };
  const offSnap = await cli(["download", "carl/weights", "--cache-dir", jsSnap, "--json"], { env: offline });
  assert.equal(offSnap.code, 0, offSnap.stderr);
  assert.equal(JSON.parse(offSnap.stdout).snapshot, snapPath);
  const offFile = await cli(["download", "carl/weights", "README.md", "--cache-dir", jsSnap, "--json"], { env: offline });
  assert.equal(offFile.code, 0, offFile.stderr);
  assert.equal(JSON.parse(offFile.stdout)[0].path, path.join(snapPath, "README.md"));
  const empty = makeTempDir("spacehub-cpp-off-empty-");
  const notCached = await cli(["download", "carl/weights", "README.md", "--cache-dir", empty], { env: offline });
  assert.equal(notCached.code, 15, notCached.stderr);
  assert.match(notCached.stderr, /LocalEntryNotFound/);
});

test("Space settings through the CLI: secret, variable, hardware, pause, restart, runtime", async () => {
  const id = "carl/demo";
  const created = await okJson(["repo", "create", id, "--repo-type", "space", "--space-sdk", "gradio"]);
  assert.equal(created.url, `${hub.endpoint}/spaces/${id}`);
  const dir = makeTempDir("spacehub-cpp-space-");
  writeFileSync(path.join(dir, "app.py"), "print('hi')\n");
  await ok(["upload", id, dir, "--repo-type", "space"]);

  // The secret value comes on stdin, never on argv.
  assert.equal((await okJson(["space", "secrets", "add", id, "API_KEY"], { input: "s3cr3t\n" })).added, true);
  const secrets = await hub.api("GET", `/api/spaces/${id}/secrets`, { token });
  assert.ok("API_KEY" in secrets.json);
  const vars = await okJson(["space", "variables", "add", id, "MODEL_REPO_ID", "user/repo"]);
  assert.equal(vars.MODEL_REPO_ID.value, "user/repo");
  assert.equal((await okJson(["space", "variables", "list", id])).MODEL_REPO_ID.value, "user/repo");

  const hw = await okJson(["space", "hardware", id, "cpu-upgrade"]);
  assert.equal(hw.hardware.requested, "cpu-upgrade");
  assert.equal((await cli(["space", "hardware", id, "warp-drive"])).code, 7, "unknown flavor");
  const slept = await okJson(["space", "sleep", id, "3600"]);
  assert.equal(slept.gcTimeout, 3600);
  const paused = await okJson(["space", "pause", id]);
  assert.equal(paused.stage, "PAUSED");
  const restarted = await okJson(["space", "restart", id, "--factory"]);
  assert.notEqual(restarted.stage, "PAUSED");
  const rt = await okJson(["space", "runtime", id]);
  assert.ok(typeof rt.stage === "string" && rt.stage.length > 0);
  assert.equal(rt.hardware.requested, "cpu-upgrade");
  const waited = await cli(["space", "wait", id, "--timeout", "5", "--interval", "0.2", "--json"]);
  assert.ok([0, 14].includes(waited.code), `wait → ${waited.code}: ${waited.stderr}`);

  assert.equal((await okJson(["space", "storage", "request", id, "small"])).storage, "small");
  await ok(["space", "storage", "delete", id]);
  await ok(["space", "secrets", "delete", id, "API_KEY"]);
  assert.deepEqual(await okJson(["space", "variables", "delete", id, "MODEL_REPO_ID"]), {});
  const dup = await okJson(["space", "duplicate", id, "carl/demo-copy"]);
  assert.equal(dup.url, `${hub.endpoint}/spaces/carl/demo-copy`);
  assert.ok(!hub.stdout.includes("s3cr3t") && !hub.stderr.includes("s3cr3t"));
});

test("examples/manage_your_space runs the guide's steps 1–6", async () => {
  assert.ok(existsSync(EXAMPLE_BIN), `example not built at ${EXAMPLE_BIN} (set SPACEHUB_EXAMPLE_BIN)`);
  const r = await run(EXAMPLE_BIN, ["carl/guide", "", "cpu-upgrade"]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  for (const step of ["1. created", "2. uploaded", "1bis. duplicated", "3. variables", "4. runtime", "5. paused", "5. restarted", "5. sleep time 3600", "6. storage deleted"]) {
    assert.ok(r.stdout.includes(step), `missing "${step}" in:\n${r.stdout}`);
  }
  assert.match(r.stdout, /5\. paused: stage=PAUSED/);
  const info = await hub.api("GET", "/api/spaces/carl/guide-copy", { token });
  assert.equal(info.status, 200);
});

test("LFS multipart: a hub that splits uploads gets chunk_size parts from the C++ client", async () => {
  const split = await startHub({ args: ["--lfs-multipart-threshold-mb", "5", "--lfs-chunk-mb", "5"] });
  try {
    const tok = await split.createUser("mona");
    const env = { HF_ENDPOINT: split.endpoint, HF_TOKEN: tok };
    assert.equal((await cli(["repo", "create", "mona/parts"], { env })).code, 0);
    const dir = makeTempDir("spacehub-cpp-mp-");
    const big = randomBytes(11 * 1024 * 1024 + 3); // three parts: 5 + 5 + 1 MiB
    writeFileSync(path.join(dir, "parts.bin"), big);
    const up = await cli(["upload", "mona/parts", path.join(dir, "parts.bin"), "--json"], { env });
    assert.equal(up.code, 0, up.stderr);
    const cache = makeTempDir("spacehub-cpp-mp-cache-");
    const dl = await cli(["download", "mona/parts", "parts.bin", "--cache-dir", cache, "--json"], { env });
    assert.equal(dl.code, 0, dl.stderr);
    assert.ok(readFileSync(JSON.parse(dl.stdout)[0].path).equals(big));
  } finally {
    await split.stop();
  }
});

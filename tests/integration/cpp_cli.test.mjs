// The C++ client's second slice end to end, through the `spacehub` CLI (which reaches the hub only
// through the spacehub::client library): tree / paths-info / refs / commits / branches / tags /
// move with Link pagination, Space logs and wait against a real Space runtime, and the robustness
// promises — 5xx and 429 retried with backoff where huggingface_hub retries, an interrupted
// download resumed with a Range request, a full disk leaving nothing behind, and the exit codes.
//
// Faults come from a small loopback proxy in front of a real hub (faultProxy below): it forwards
// every request unchanged and, when told to, answers a matching request itself with an error or
// cuts a download short. Retry waits are scaled down with SPACEHUB_CLIENT_RETRY_SCALE.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import {
  mkdirSync, writeFileSync, readFileSync, existsSync, symlinkSync, readdirSync, lstatSync, realpathSync, statSync, utimesSync,
} from "node:fs";
import path from "node:path";
import { startHub, makeTempDir, SPACEHUB_BIN, sha256, commit, uniqueName } from "./harness.mjs";
import { HAVE_BWRAP } from "./runtime_lib.mjs";

const TOUR_BIN = process.env.SPACEHUB_TOUR_BIN
  ? path.resolve(process.env.SPACEHUB_TOUR_BIN)
  : path.join(path.dirname(SPACEHUB_BIN), "..", "..", "examples", "library_tour");
const HAVE_SCRIPT = spawnSync("script", ["--version"]).status === 0; // util-linux: runs a command on a pty

let hub;
let token;
let hfHome;
let proxy;

// The client's environment against the test hub.
const cliEnv = (env = {}) => ({
  PATH: process.env.PATH,
  HF_ENDPOINT: hub.endpoint,
  HF_TOKEN: token,
  HF_HOME: hfHome,
  SPACEHUB_CLIENT_RETRY_SCALE: "0.02",
  ...env,
});

function run(args, { env = {}, input, bin = SPACEHUB_BIN } = {}) {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { timeout: 120_000, maxBuffer: 64 << 20, env: cliEnv(env) },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin.on("error", () => {}); // a command that exits before reading stdin: EPIPE is fine
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}
async function ok(args, opts) {
  const r = await run(args, opts);
  assert.equal(r.code, 0, `spacehub ${args.join(" ")} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}
const okJson = async (args, opts) => JSON.parse((await ok([...args, "--json"], opts)).stdout);

/**
 * A loopback HTTP proxy in front of `target` (the hub). Records every request (method, url,
 * range header, arrival time in ms). `fault(rule)` queues a rule { method, match: RegExp, times, status, headers,
 * cutAfter }: the next `times` matching requests get `status` (answered by the proxy, never reaching
 * the hub) or, with cutAfter, the hub's answer cut after that many body bytes (socket destroyed).
 */
// `target` may be set later (proxy.target = …): the hub it fronts is told the proxy's address
// as its public URL, so the URLs it hands out (LFS uploads) come back through the proxy.
async function faultProxy(target) {
  let t = target ? new URL(target) : null;
  const rules = [];
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, range: req.headers.range, at: Date.now() });
    const rule = rules.find((r) => r.times > 0 && (!r.method || r.method === req.method) && r.match.test(req.url));
    if (rule && rule.status) {
      rule.times--;
      req.resume();
      res.writeHead(rule.status, { "Content-Type": "application/json", ...(rule.headers ?? {}) });
      res.end(JSON.stringify({ error: `injected ${rule.status}` }));
      return;
    }
    const up = http.request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.headers);
        if (rule && rule.cutAfter !== undefined && upRes.statusCode < 300) {
          rule.times--;
          let sent = 0;
          upRes.on("data", (chunk) => {
            if (sent >= rule.cutAfter) return;
            const take = chunk.subarray(0, rule.cutAfter - sent);
            sent += take.length;
            res.write(take);
            if (sent >= rule.cutAfter) {
              upRes.destroy();
              res.socket?.destroy();
            }
          });
          return;
        }
        upRes.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    set target(url) {
      t = new URL(url);
    },
    seen,
    fault: (rule) => rules.push({ times: 1, ...rule }),
    clear: () => {
      rules.length = 0;
      seen.length = 0;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(resolve);
    }),
  };
}

before(async () => {
  proxy = await faultProxy(null);
  hub = await startHub({ publicUrl: proxy.endpoint, args: HAVE_BWRAP ? ["--space-runtime", "local"] : [] });
  proxy.target = hub.endpoint;
  token = await hub.createUser("dora");
  hfHome = makeTempDir("spacehub-cli-hfhome-");
});

after(async () => {
  if (proxy) await proxy.close();
  if (hub) await hub.stop();
});

test("exit codes: usage, auth, not found, network, server error, bad request", async () => {
  assert.equal((await run(["repo", "info", "bad/id/x"])).code, 2, "bad repo id");
  assert.equal((await run(["repo", "info"])).code, 2, "missing argument");
  assert.equal((await run(["repo", "frobnicate"])).code, 2, "unknown subcommand");
  assert.equal((await run(["repo", "create", "dora/x"], { env: { HF_TOKEN: "" } })).code, 3, "no token");
  const missing = await run(["repo", "info", "dora/nothing-here"]);
  assert.equal(missing.code, 4, missing.stderr);
  assert.match(missing.stderr, /RepositoryNotFound/);
  const refused = await run(["repo", "list", "--endpoint", "http://127.0.0.1:1"]);
  assert.equal(refused.code, 12, "connection refused (after the listing's retries)");
  // A plain API call is not retried (huggingface_hub does not retry repo_info): one 503 → exit 11.
  proxy.clear();
  proxy.fault({ method: "GET", match: /^\/api\/models\/dora\/whatever/, status: 503 });
  const server = await run(["repo", "info", "dora/whatever", "--json"], { env: { HF_ENDPOINT: proxy.endpoint } });
  assert.equal(server.code, 11, server.stderr);
  assert.equal(JSON.parse(server.stderr.trim()).status, 503);
  assert.equal(proxy.seen.filter((r) => r.url.startsWith("/api/models/dora/whatever")).length, 1);
  const help = await run(["repo", "--help"]);
  assert.equal(help.code, 0);
  for (const sub of ["tree", "refs", "commits", "branch", "tag", "move"]) assert.match(help.stdout, new RegExp(sub));
  assert.match(help.stdout, /2 usage/);
});

test("tree, files, paths-info, refs, commits, branches, tags and move; pages followed", async () => {
  const id = "dora/history";
  await ok(["repo", "create", id]);
  const dir = makeTempDir("spacehub-cli-tree-");
  mkdirSync(path.join(dir, "many"));
  for (let i = 0; i < 1005; i++) writeFileSync(path.join(dir, "many", `f${String(i).padStart(4, "0")}.txt`), `file ${i}\n`);
  const big = randomBytes(3 * 1024 * 1024 + 1);
  writeFileSync(path.join(dir, "model.bin"), big);
  writeFileSync(path.join(dir, "README.md"), "# history\n");
  writeFileSync(path.join(dir, "empty.txt"), "");
  const up = await okJson(["upload", id, dir, "--commit-message", "many files"]);

  const root = await okJson(["repo", "tree", id]);
  const byPath = Object.fromEntries(root.map((e) => [e.path, e]));
  assert.equal(byPath.many.type, "directory");
  assert.equal(byPath["model.bin"].lfs.oid, sha256(big));
  assert.equal(byPath["model.bin"].size, big.length);
  // Recursive: more than one page of 1000 entries, so the Link header was followed.
  const all = await okJson(["repo", "tree", id, "--recursive"]);
  assert.equal(all.filter((e) => e.path.startsWith("many/")).length, 1005);
  const files = await okJson(["repo", "files", id]);
  assert.equal(files.length, new Set(files).size, "no entry twice across pages");
  assert.ok(files.includes("many/f1004.txt") && files.includes("README.md"));
  const sub = await okJson(["repo", "tree", id, "--path", "many", "--expand"]);
  assert.equal(sub.length, 1005, "expanded pages are 50 entries each");
  assert.equal(sub[0].lastCommit.id, up.commitOid);
  const info = await okJson(["repo", "paths-info", id, "README.md", "no/such/file", "model.bin"]);
  assert.deepEqual(info.map((e) => e.path).sort(), ["README.md", "model.bin"]);

  // Branches and commits (commits page by 50: 55 of them need two pages).
  await ok(["repo", "branch", "create", id, "dev"]);
  for (let i = 0; i < 55; i++) {
    await commit(hub, { id, token, revision: "dev", summary: `step ${i}`, files: [{ path: "step.txt", content: `${i}\n` }] });
  }
  const commits = await okJson(["repo", "commits", id, "--revision", "dev"]);
  assert.ok(commits.length >= 57, `${commits.length} commits`);
  assert.equal(commits[0].title, "step 54");
  assert.equal(new Set(commits.map((c) => c.id)).size, commits.length);
  assert.equal((await okJson(["repo", "commits", id, "--revision", "dev", "--limit", "3"])).length, 3);
  assert.equal((await run(["repo", "branch", "create", id, "dev"])).code, 9, "branch exists");
  await ok(["repo", "branch", "create", id, "dev", "--exist-ok"]);
  await ok(["repo", "branch", "create", id, "from-first", "--revision", up.commitOid]);

  await ok(["repo", "tag", "create", id, "v1", "--revision", "dev", "-m", "first release"]);
  const tags = await okJson(["repo", "tag", "list", id]);
  assert.deepEqual(tags.map((t) => t.name), ["v1"]);
  assert.equal(tags[0].targetCommit, commits[0].id);
  assert.equal((await run(["repo", "tag", "create", id, "v1"])).code, 9, "tag exists");
  await ok(["repo", "tag", "create", id, "v1", "--exist-ok"]);
  let refs = await okJson(["repo", "refs", id]);
  assert.deepEqual(refs.branches.map((b) => b.name).sort(), ["dev", "from-first", "main"]);
  assert.equal(refs.branches.find((b) => b.name === "from-first").targetCommit, up.commitOid);
  await ok(["repo", "tag", "delete", id, "v1"]);
  await ok(["repo", "branch", "delete", id, "from-first"]);
  assert.equal((await run(["repo", "branch", "delete", id, "nope"])).code, 5, "unknown branch");
  refs = await okJson(["repo", "refs", id]);
  assert.deepEqual(refs.branches.map((b) => b.name).sort(), ["dev", "main"]);
  assert.deepEqual(refs.tags, []);

  // Snapshot of >1000 files: the file list comes from the paged tree.
  const cache = makeTempDir("spacehub-cli-snap-");
  const snap = await okJson(["download", id, "--cache-dir", cache]);
  assert.equal(readdirSync(path.join(snap.snapshot, "many")).length, 1005);
  assert.ok(readFileSync(path.join(snap.snapshot, "model.bin")).equals(big));
  assert.equal(readFileSync(path.join(snap.snapshot, "empty.txt")).length, 0, "an empty file downloads");
  const one = await okJson(["download", id, "empty.txt", "--cache-dir", makeTempDir("spacehub-cli-empty-")]);
  assert.equal(readFileSync(one[0].path).length, 0);

  await ok(["repo", "move", id, "dora/renamed"]);
  assert.equal((await okJson(["repo", "info", "dora/renamed"])).sha, (await okJson(["repo", "refs", "dora/renamed"])).branches.find((b) => b.name === "main").targetCommit);
  const listed = await okJson(["repo", "list", "--author", "dora"]);
  assert.ok(listed.some((r) => r.id === "dora/renamed"));
  assert.equal((await run(["repo", "move", "dora/renamed", "nonamespace"])).code, 2);
});

test("5xx and 429 are retried where huggingface_hub retries; downloads resume with Range", async () => {
  const env = { HF_ENDPOINT: proxy.endpoint };
  const id = "dora/robust";
  await ok(["repo", "create", id], { env });
  const dir = makeTempDir("spacehub-cli-robust-");
  const big = randomBytes(8 * 1024 * 1024 + 11);
  writeFileSync(path.join(dir, "big.bin"), big);
  writeFileSync(path.join(dir, "small.txt"), "small\n");

  // Preupload and the LFS PUT answer 503 twice / 500 once, then get through (--no-xet: the plain
  // LFS transfer, whose PUT is what is retried here; cpp_xet.test.mjs covers the Xet one).
  proxy.clear();
  proxy.fault({ method: "POST", match: /\/preupload\//, status: 503, times: 2 });
  proxy.fault({ method: "PUT", match: /lfs/, status: 500, times: 1 });
  const up = await okJson(["upload", id, dir, "--no-xet"], { env });
  assert.match(up.commitOid, /^[0-9a-f]{40}$/);
  assert.equal(proxy.seen.filter((r) => r.url.includes("/preupload/")).length, 3, "preupload tried 3 times");
  assert.equal(proxy.seen.filter((r) => r.method === "PUT").length, 2, "LFS PUT tried twice");

  // A download GET answered 429 twice (Retry-After: 0) is retried.
  proxy.clear();
  proxy.fault({ method: "GET", match: /\/resolve\/.*small\.txt/, status: 429, times: 2, headers: { "Retry-After": "0" } });
  const small = await okJson(["download", id, "small.txt", "--cache-dir", makeTempDir("spacehub-cli-429-")], { env });
  assert.equal(readFileSync(small[0].path, "utf8"), "small\n");
  assert.equal(proxy.seen.filter((r) => r.method === "GET" && r.url.includes("small.txt")).length, 3);

  // The connection drops after 3 MB: the same run resumes from there with a Range request.
  proxy.clear();
  proxy.fault({ method: "GET", match: /\/resolve\/.*big\.bin/, cutAfter: 3 * 1024 * 1024 });
  const cache = makeTempDir("spacehub-cli-cut-");
  const dl = await okJson(["download", id, "big.bin", "--cache-dir", cache], { env });
  assert.ok(readFileSync(dl[0].path).equals(big), "bytes equal after the resume");
  const gets = proxy.seen.filter((r) => r.method === "GET" && r.url.includes("big.bin"));
  assert.equal(gets.length, 2, JSON.stringify(gets));
  assert.equal(gets[0].range, undefined);
  const from = Number(/^bytes=(\d+)-$/.exec(gets[1].range)?.[1]);
  assert.ok(from > 0 && from <= 3 * 1024 * 1024, `second GET asked ${gets[1].range}`);
  const blobs = path.join(cache, "models--dora--robust", "blobs");
  assert.deepEqual(readdirSync(blobs), [sha256(big)], "only the finished blob");

  // A partial file left by an earlier run is resumed, not restarted.
  proxy.clear();
  const cache2 = makeTempDir("spacehub-cli-partial-");
  const blobs2 = path.join(cache2, "models--dora--robust", "blobs");
  mkdirSync(blobs2, { recursive: true });
  writeFileSync(path.join(blobs2, `${sha256(big)}.incomplete`), big.subarray(0, 5_000_000));
  const resumed = await okJson(["download", id, "big.bin", "--cache-dir", cache2], { env });
  assert.ok(readFileSync(resumed[0].path).equals(big));
  assert.deepEqual(proxy.seen.filter((r) => r.method === "GET" && r.url.includes("big.bin")).map((r) => r.range), ["bytes=5000000-"]);

  // A server error on the download GET is not retried (as in Python): exit 11, partial kept.
  proxy.clear();
  proxy.fault({ method: "GET", match: /\/resolve\/.*big\.bin/, status: 502 });
  const failed = await run(["download", id, "big.bin", "--cache-dir", makeTempDir("spacehub-cli-502-")], { env });
  assert.equal(failed.code, 11, failed.stderr);
});

test("a 429's RateLimit header sets the wait before the retry, as huggingface_hub's http_backoff does", async () => {
  // Waits are scaled by 0.02: "t=49" → (49 + 1) s × 0.02 = 1 s, where the backoff alone waits 20 ms.
  const env = { HF_ENDPOINT: proxy.endpoint };
  const limited = (t) => ({ RateLimit: `"api";r=0;t=${t}`, "RateLimit-Policy": '"fixed window";"api";q=500;w=300' });
  proxy.clear();
  proxy.fault({ method: "GET", match: /^\/api\/models\?/, status: 429, headers: limited(49) });
  await okJson(["repo", "list", "--author", "dora"], { env });
  let tries = proxy.seen.filter((r) => r.url.startsWith("/api/models?"));
  assert.equal(tries.length, 2);
  assert.ok(tries[1].at - tries[0].at >= 900, `listing retried after ${tries[1].at - tries[0].at} ms`);

  // A file download's GET (retried on 429 too): t=24 → 0.5 s, taking precedence over Retry-After.
  const id = "dora/ratelimit";
  await ok(["repo", "create", id]);
  const dir = makeTempDir("spacehub-cli-rl-");
  writeFileSync(path.join(dir, "r.txt"), "limited\n");
  await ok(["upload", id, dir]);
  proxy.clear();
  proxy.fault({ method: "GET", match: /\/resolve\/.*r\.txt/, status: 429, headers: { ...limited(24), "Retry-After": "0" } });
  const dl = await okJson(["download", id, "r.txt", "--cache-dir", makeTempDir("spacehub-cli-rl-c-")], { env });
  assert.equal(readFileSync(dl[0].path, "utf8"), "limited\n");
  tries = proxy.seen.filter((r) => r.method === "GET" && r.url.includes("r.txt"));
  assert.equal(tries.length, 2);
  assert.ok(tries[1].at - tries[0].at >= 400, `download retried after ${tries[1].at - tries[0].at} ms`);

  // Still limited after every retry: the error names the limit, as the Python client's does.
  proxy.clear();
  proxy.fault({ method: "GET", match: /^\/api\/models\?/, status: 429, headers: limited(0), times: 6 });
  const r = await run(["repo", "list", "--author", "dora", "--json"], { env });
  assert.equal(r.code, 10, r.stderr);
  const err = JSON.parse(r.stderr.trim().split("\n").pop());
  assert.equal(err.status, 429);
  assert.match(err.message, /you have reached your 'api' rate limit\. Retry after 0 seconds \(0\/500 requests remaining in current 300s window\)/);
  assert.equal(proxy.seen.length, 6, "5 retries");
});

test("download --local-dir: plain files, huggingface_hub's metadata, unchanged files skipped, no half file", async () => {
  const env = { HF_ENDPOINT: proxy.endpoint };
  const id = "dora/localdir";
  await ok(["repo", "create", id]);
  const src = makeTempDir("spacehub-cli-ld-src-");
  const big = randomBytes(8 * 1024 * 1024 + 5);
  mkdirSync(path.join(src, "sub"));
  writeFileSync(path.join(src, "big.bin"), big);
  writeFileSync(path.join(src, "sub", "note.txt"), "note\n");
  // Stored as plain LFS: this test is about resolve's GETs (a Xet-stored file downloads as xorb
  // ranges; cpp_xet.test.mjs covers that path).
  const up = await okJson(["upload", id, src, "--no-xet"]);
  const tree = await okJson(["repo", "tree", id, "--recursive"]);
  const noteOid = tree.find((e) => e.path === "sub/note.txt").oid;
  const resolves = () => proxy.seen.filter((r) => r.url.includes("/resolve/"));

  // The whole revision: regular files, one metadata file each (commit, ETag, time), nothing in the cache.
  const out = makeTempDir("spacehub-cli-ld-");
  const cache = makeTempDir("spacehub-cli-ld-cache-");
  const meta = (dir, rel) => readFileSync(path.join(dir, ".cache", "huggingface", "download", `${rel}.metadata`), "utf8").split("\n");
  const snap = await okJson(["download", id, "--local-dir", out, "--cache-dir", cache], { env });
  assert.equal(snap.localDir, realpathSync(out));
  for (const [rel, bytes, etag] of [["big.bin", big, sha256(big)], ["sub/note.txt", Buffer.from("note\n"), noteOid]]) {
    assert.ok(lstatSync(path.join(out, rel)).isFile(), `${rel} is a regular file`);
    assert.ok(readFileSync(path.join(out, rel)).equals(bytes), rel);
    const [commitLine, etagLine, time, end, ...rest] = meta(out, rel);
    assert.deepEqual([commitLine, etagLine, end, rest], [up.commitOid, etag, "", []]);
    assert.ok(Math.abs(Number(time) - Date.now() / 1000) < 300, `timestamp ${time}`);
  }
  assert.equal(readFileSync(path.join(out, ".cache", "huggingface", ".gitignore"), "utf8"), "*");
  assert.deepEqual(readdirSync(cache), [], "the cache is only read");

  // Again at the same commit: not one file request.
  proxy.clear();
  await okJson(["download", id, "--local-dir", out, "--cache-dir", cache], { env });
  assert.deepEqual(resolves(), []);
  // One file at a branch: the HEAD says the ETag is unchanged, so no GET.
  proxy.clear();
  const one = await okJson(["download", id, "sub/note.txt", "--local-dir", out, "--cache-dir", cache], { env });
  assert.equal(one[0].path, path.join(out, "sub", "note.txt"));
  assert.deepEqual(resolves().map((r) => r.method), ["HEAD"]);
  // Edited after the download (mtime past the metadata's time): fetched again.
  const note = path.join(out, "sub", "note.txt");
  writeFileSync(note, "edited\n");
  const later = Date.now() / 1000 + 60;
  utimesSync(note, later, later);
  proxy.clear();
  await okJson(["download", id, "sub/note.txt", "--local-dir", out, "--cache-dir", cache], { env });
  assert.equal(readFileSync(note, "utf8"), "note\n");
  assert.deepEqual(resolves().map((r) => r.method), ["HEAD", "GET"]);

  // Interrupted for good (every GET cut after 1 MiB): exit 12, no big.bin in the folder; the partial
  // waits under .cache/huggingface/download/ with huggingface_hub's name and the next run resumes it.
  const out2 = makeTempDir("spacehub-cli-ld2-");
  proxy.clear();
  proxy.fault({ method: "GET", match: /\/resolve\/.*big\.bin/, cutAfter: 1024 * 1024, times: 6 });
  const cut = await run(["download", id, "big.bin", "--local-dir", out2, "--cache-dir", cache], { env });
  assert.equal(cut.code, 12, cut.stderr);
  assert.ok(!existsSync(path.join(out2, "big.bin")), "no half-written file in the folder");
  const dl = path.join(out2, ".cache", "huggingface", "download");
  // base64.urlsafe_b64encode(hashlib.sha1(b"big.bin.metadata").digest())
  const partialName = `CmfBYMDPt8lXopsU8pgliJj5hHM=.${sha256(big)}.incomplete`;
  assert.ok(readdirSync(dl).includes(partialName), readdirSync(dl).join(","));
  const had = statSync(path.join(dl, partialName)).size;
  assert.ok(had > 0 && had < big.length, `partial holds ${had}`);
  proxy.clear();
  const resumed = await okJson(["download", id, "big.bin", "--local-dir", out2, "--cache-dir", cache], { env });
  assert.equal(resumed[0].path, path.join(out2, "big.bin"));
  assert.ok(readFileSync(resumed[0].path).equals(big));
  assert.deepEqual(resolves().filter((r) => r.method === "GET").map((r) => r.range), [`bytes=${had}-`]);
  assert.deepEqual(readdirSync(dl).filter((n) => n.endsWith(".incomplete")), []);

  // A file the cache holds at that commit is copied from there, not downloaded.
  const full = makeTempDir("spacehub-cli-ld-full-");
  await okJson(["download", id, "big.bin", "--cache-dir", full]);
  const out3 = makeTempDir("spacehub-cli-ld3-");
  proxy.clear();
  const copied = await okJson(["download", id, "big.bin", "--local-dir", out3, "--cache-dir", full], { env });
  assert.ok(lstatSync(copied[0].path).isFile() && readFileSync(copied[0].path).equals(big));
  assert.deepEqual(resolves().map((r) => r.method), ["HEAD"]);
  assert.equal(meta(out3, "big.bin")[0], up.commitOid);
  const help = await run(["download", "--help"]);
  assert.match(help.stdout, /--local-dir/);
});

/** Every file path under `dir` (relative, sorted), following the cache's symlinks. */
function filesUnder(dir, prefix = "") {
  const out = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (rel === ".cache") continue;
    if (statSync(path.join(dir, rel)).isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

test("download --include/--exclude select files as hf download does (fnmatch, 'dir/' = under dir)", async () => {
  const id = "dora/patterns";
  await ok(["repo", "create", id]);
  const src = makeTempDir("spacehub-cli-pat-src-");
  for (const rel of ["config.json", "model.bin", "README.md", "data/a.csv", "data/sub/b.csv", "logs/run.txt"]) {
    mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    writeFileSync(path.join(src, rel), `${rel}\n`);
  }
  const up = await okJson(["upload", id, src]);
  const all = (await okJson(["repo", "files", id])).sort();
  const snapshot = async (args) => {
    const cache = makeTempDir("spacehub-cli-pat-");
    const r = await okJson(["download", id, "--cache-dir", cache, ...args]);
    assert.equal(r.snapshot, path.join(cache, "models--dora--patterns", "snapshots", up.commitOid));
    assert.equal(readFileSync(path.join(cache, "models--dora--patterns", "refs", "main"), "utf8"), up.commitOid);
    return filesUnder(r.snapshot);
  };
  // Repeated flags; '*' crosses '/'; a trailing '/' means the whole folder; --exclude wins.
  assert.deepEqual(await snapshot(["--include", "*.json", "--include", "data/", "--exclude", "*/sub/*"]),
    ["config.json", "data/a.csv"]);
  // Several patterns after one flag (huggingface-cli's nargs='*').
  assert.deepEqual(await snapshot(["--include", "*.csv", "*.md"]), ["README.md", "data/a.csv", "data/sub/b.csv"]);
  assert.deepEqual(await snapshot(["--exclude", "*.bin", "logs/", ".*"]),
    all.filter((f) => !["model.bin", "logs/run.txt"].includes(f) && !f.startsWith(".")));
  assert.deepEqual(await snapshot(["--include", "[!a-z.]*"]), ["README.md"]); // a set, case-sensitive
  assert.deepEqual(await snapshot(["--include", "nothing*"]), []);
  // Into a folder too.
  const out = makeTempDir("spacehub-cli-pat-ld-");
  await okJson(["download", id, "--local-dir", out, "--include", "logs/*"]);
  assert.deepEqual(filesUnder(out), ["logs/run.txt"]);
  // File names win over patterns, with a warning (as hf download).
  const named = await run(["download", id, "model.bin", "--include", "*.json", "--json"]);
  assert.equal(named.code, 0, named.stderr);
  assert.match(named.stderr, /--include ignored/);
  assert.equal(JSON.parse(named.stdout)[0].filename, "model.bin");
  const help = await run(["download", "--help"]);
  assert.match(help.stdout, /--include/);
  assert.match(help.stdout, /--exclude/);
  assert.match(help.stdout, /HF_HUB_OFFLINE/);
});

test("HF_HUB_OFFLINE: downloads answer from the cache alone, LocalEntryNotFound (exit 15) otherwise, no request", async () => {
  const id = "dora/offline";
  await ok(["repo", "create", id]);
  const src = makeTempDir("spacehub-cli-off-src-");
  mkdirSync(path.join(src, "sub"));
  writeFileSync(path.join(src, "kept.txt"), "kept\n");
  writeFileSync(path.join(src, "sub", "deep.txt"), "deep\n");
  writeFileSync(path.join(src, "never.txt"), "never\n");
  const up = await okJson(["upload", id, src]);
  const cache = makeTempDir("spacehub-cli-off-cache-");
  const repoDir = path.join(cache, "models--dora--offline");
  const snapDir = path.join(repoDir, "snapshots", up.commitOid);
  await okJson(["download", id, "kept.txt", "sub/deep.txt", "--cache-dir", cache]);
  const out = makeTempDir("spacehub-cli-off-ld-");
  await okJson(["download", id, "--local-dir", out, "--include", "kept.txt"]);

  // Through the fault proxy, so any request would be seen; then a closed port.
  for (const endpoint of [proxy.endpoint, "http://127.0.0.1:1"]) {
    const env = { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: "1" };
    proxy.clear();
    const byRef = await okJson(["download", id, "kept.txt", "--cache-dir", cache], { env });
    assert.equal(byRef[0].path, path.join(snapDir, "kept.txt"));
    const byCommit = await okJson(["download", id, "sub/deep.txt", "--revision", up.commitOid, "--cache-dir", cache], { env });
    assert.equal(readFileSync(byCommit[0].path, "utf8"), "deep\n");
    assert.equal((await okJson(["download", id, "--cache-dir", cache], { env })).snapshot, snapDir);
    assert.equal((await okJson(["download", id, "kept.txt", "--local-dir", out], { env }))[0].path, path.join(out, "kept.txt"));
    assert.equal((await okJson(["download", id, "--local-dir", out], { env })).localDir, realpathSync(out));

    const missing = await run(["download", id, "never.txt", "--cache-dir", cache, "--json"], { env });
    assert.equal(missing.code, 15, missing.stderr);
    const err = JSON.parse(missing.stderr.trim().split("\n").pop());
    assert.equal(err.kind, "LocalEntryNotFound");
    assert.match(err.error, /HF_HUB_OFFLINE/);
    assert.equal((await run(["download", id, "kept.txt", "--revision", "dev", "--cache-dir", cache], { env })).code, 15, "no ref");
    assert.equal((await run(["download", id, "--revision", "dev", "--cache-dir", cache], { env })).code, 15, "no snapshot");
    assert.equal((await run(["download", id, "never.txt", "--local-dir", out], { env })).code, 15);
    assert.equal((await run(["download", id, "--local-dir", makeTempDir("spacehub-cli-off-empty-")], { env })).code, 15);
    assert.equal((await run(["download", id, "kept.txt", "--force-download", "--cache-dir", cache], { env })).code, 2);
    // Every other call is refused before sending (OfflineModeIsEnabled, a network error).
    const who = await run(["whoami", "--json"], { env });
    assert.equal(who.code, 12);
    assert.match(who.stderr, /offline mode is enabled/);
    if (endpoint === proxy.endpoint) assert.deepEqual(proxy.seen, [], "not one request");
  }
  // HF_HUB_OFFLINE=0 is online.
  proxy.clear();
  await okJson(["download", id, "never.txt", "--cache-dir", cache], { env: { HF_ENDPOINT: proxy.endpoint, HF_HUB_OFFLINE: "0" } });
  assert.ok(proxy.seen.length > 0);
  // Unreachable (not offline) with the snapshot cached: the cached snapshot, as huggingface_hub does.
  const unreachable = await okJson(["download", id, "--cache-dir", cache], { env: { HF_ENDPOINT: "http://127.0.0.1:1" } });
  assert.equal(unreachable.snapshot, snapDir);
});

test("a full disk: clear error, exit 13, no partial file and no blob left in the cache", async () => {
  const id = "dora/diskfull";
  await ok(["repo", "create", id]);
  const dir = makeTempDir("spacehub-cli-full-");
  const data = randomBytes(2 * 1024 * 1024);
  writeFileSync(path.join(dir, "data.bin"), data);
  await ok(["upload", id, dir]);
  // Linux's /dev/full fails every write with ENOSPC: the download writes its .incomplete there
  // (a Xet-stored file is first built as .incomplete.xet, its terms written side by side).
  const cache = makeTempDir("spacehub-cli-enospc-");
  const blobs = path.join(cache, "models--dora--diskfull", "blobs");
  mkdirSync(blobs, { recursive: true });
  symlinkSync("/dev/full", path.join(blobs, `${sha256(data)}.incomplete`));
  symlinkSync("/dev/full", path.join(blobs, `${sha256(data)}.incomplete.xet`));
  const r = await run(["download", id, "data.bin", "--cache-dir", cache]);
  assert.equal(r.code, 13, r.stderr);
  assert.match(r.stderr, /No space left on device/);
  assert.deepEqual(readdirSync(blobs), [], "nothing half-written left in blobs/");
  assert.ok(!existsSync(path.join(cache, "models--dora--diskfull", "snapshots")) ||
    readdirSync(path.join(cache, "models--dora--diskfull", "snapshots")).every((c) =>
      !existsSync(path.join(cache, "models--dora--diskfull", "snapshots", c, "data.bin"))));
});

test("space wait and space logs (build and run) against a real Space", { skip: !HAVE_BWRAP && "no bwrap" }, async () => {
  const name = uniqueName("logs");
  const id = `dora/${name}`;
  await ok(["repo", "create", id, "--repo-type", "space", "--space-sdk", "gradio"]);
  const dir = makeTempDir("spacehub-cli-logs-");
  writeFileSync(
    path.join(dir, "app.py"),
    "import http.server, os\nprint('hello from the app', flush=True)\n" +
      "http.server.ThreadingHTTPServer(('0.0.0.0', int(os.environ['PORT'])), http.server.SimpleHTTPRequestHandler).serve_forever()\n",
  );
  await ok(["upload", id, dir, "--repo-type", "space"]);
  const waited = await okJson(["space", "wait", id, "--timeout", "90", "--interval", "0.25"]);
  assert.equal(waited.stage, "RUNNING", JSON.stringify(waited));

  const build = await ok(["space", "logs", id, "--build"]);
  assert.match(build.stdout, /build complete/);
  // The run log may trail the stage by a moment: poll briefly.
  let lines = [];
  for (let i = 0; i < 40 && !lines.some((l) => l.data.includes("hello from the app")); i++) {
    const r = await ok(["space", "logs", id, "--json"]);
    lines = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    if (!lines.some((l) => l.data.includes("hello from the app"))) await new Promise((res) => setTimeout(res, 250));
  }
  assert.ok(lines.some((l) => l.data.includes("hello from the app")), JSON.stringify(lines));
  assert.match(lines[0].timestamp, /^\d{4}-\d\d-\d\dT.*Z$/);
  // Following a running Space's log stays open: read until the line arrives, then stop it.
  const follower = spawn(SPACEHUB_BIN, ["space", "logs", id, "--follow"], { env: cliEnv() });
  let followed = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line while following: ${followed}`)), 20_000);
    follower.stdout.on("data", (d) => {
      followed += d;
      if (/hello from the app/.test(followed)) clearTimeout(timer), resolve();
    });
  });
  assert.equal(follower.exitCode, null, "the followed stream ended although the Space runs");
  follower.kill();
  assert.equal((await run(["space", "logs", "dora/no-such-space"])).code, 4);
  await ok(["space", "pause", id]);
});

test("library calls the CLI does not make, and one HubClient shared by 8 threads (examples/library_tour)", async () => {
  assert.ok(existsSync(TOUR_BIN), `library_tour not built at ${TOUR_BIN} (set SPACEHUB_TOUR_BIN)`);
  const r = await run(["dora"], { bin: TOUR_BIN });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  for (const check of ["repo_exists false", "create_commit with bytes", "file_exists", "revision_exists",
    "try_to_load_from_cache finds a downloaded file", "snapshot_download with allow_patterns and ignore_patterns",
    "local_files_only finds a cached file", "local_files_only: an uncached file is LocalEntryNotFound",
    "offline mode answers from the cache", "offline mode refuses a request before sending",
    "offline force_download is an invalid argument", "deletes a file and a folder", "paths-info at an older commit",
    "stale parent commit is refused", "8 threads share one HubClient", "space_info", "get_space_logs", "stops the stream", "delete_repo"]) {
    assert.ok(r.stdout.includes(check), `missing "${check}" in:\n${r.stdout}`);
  }
  // The 404 left huggingface_hub's marker: an empty .no_exist/<commit>/<path>, and refs/main.
  const commitOid = /a missing file is cached as non-existent at ([0-9a-f]{40})/.exec(r.stdout)?.[1];
  assert.ok(commitOid, r.stdout);
  const repoDir = path.join(hfHome, "hub", "models--dora--tour");
  assert.equal(statSync(path.join(repoDir, ".no_exist", commitOid, "nope.txt")).size, 0);
});

test("progress bars on a terminal only", { skip: !HAVE_SCRIPT && "no script(1)" }, async () => {
  const id = "dora/progress";
  await ok(["repo", "create", id]);
  const dir = makeTempDir("spacehub-cli-progress-");
  writeFileSync(path.join(dir, "w.bin"), randomBytes(6 * 1024 * 1024));
  const env = { PATH: process.env.PATH, HF_ENDPOINT: hub.endpoint, HF_TOKEN: token, HF_HOME: hfHome };
  // Asynchronous: the hub's LFS URLs lead through this process's fault proxy, which a
  // synchronous spawn would stall.
  const onPty = (cmd) =>
    new Promise((resolve) => {
      const child = spawn("script", ["-qec", cmd, "/dev/null"], { env, timeout: 60_000 });
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
      child.on("close", (status) => resolve({ status, stdout }));
    });
  const up = await onPty(`'${SPACEHUB_BIN}' upload ${id} '${dir}'`);
  assert.equal(up.status, 0, up.stdout);
  assert.match(up.stdout, /upload \[#+\] 100% 6\.3\/6\.3 MB/);
  const down = await onPty(`'${SPACEHUB_BIN}' download ${id} w.bin --cache-dir '${makeTempDir("spacehub-cli-pc-")}'`);
  assert.equal(down.status, 0, down.stdout);
  assert.match(down.stdout, /w\.bin \[#+\] 100%/);
  // Not a terminal (a pipe): no bar, only the path on stdout.
  const piped = await ok(["download", id, "w.bin", "--cache-dir", makeTempDir("spacehub-cli-pp-")]);
  assert.equal(piped.stderr, "");
  assert.match(piped.stdout, /snapshots\/[0-9a-f]{40}\/w\.bin\n$/);
});

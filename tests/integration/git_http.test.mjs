// git smart HTTP against a real hub, driven by the real `git` and `git-lfs` binaries (issue #3):
// clone, push, LFS, API ↔ git round trips, concurrency, and every bad-input case — each refused
// cleanly with the repository untouched (`git fsck` clean).

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync, readFileSync, mkdirSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as hf from "@huggingface/hub";
import { startHub, uniqueName, makeTempDir, createRepo, commit, repoSha, rawHttp, lfsUpload, TYPES } from "./harness.mjs";
import { gitEnv, runGit, remoteUrl as gitRemoteUrl, bareDir as gitBareDir } from "./git_lib.mjs";

const T = { timeout: 180_000 };

let hub;
let home; // temp HOME for every git run
let work; // temp dir for working copies

// Lock verification stays on, as for a user's push (the hub answers the locks API).
const git = (args, { cwd = work, allowFail = false, env = {} } = {}) =>
  runGit(args, { cwd, home, allowFail, env: { GIT_LFS_SKIP_PUSH_LOCKS: "0", ...env } });
const remoteUrl = (id, { type = "model", token = hub.token, suffix = "" } = {}) =>
  gitRemoteUrl(hub.endpoint, id, { type, token, suffix });
const bareDir = (id, type = "model") => gitBareDir(hub.dataDir, id, type);

async function fsckClean(id, type = "model") {
  const r = await git(["--git-dir", bareDir(id, type), "fsck", "--strict"], { allowFail: true });
  assert.equal(r.code, 0, `git fsck failed for ${id}: ${r.stderr}`);
  const objects = path.join(bareDir(id, type), "objects");
  const leftovers = readdirSync(objects).filter((n) => n.startsWith("tmp_objdir") || n.startsWith("incoming-"));
  assert.deepEqual(leftovers, [], "no quarantine left behind");
}

async function newRepo(opts = {}) {
  const name = uniqueName(opts.prefix ?? "git");
  const r = await createRepo(hub, { name, ...opts });
  assert.equal(r.status, 200, r.text);
  return `admin/${name}`;
}

function pkt(s) {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
  return Buffer.concat([Buffer.from((b.length + 4).toString(16).padStart(4, "0")), b]);
}
const FLUSH = Buffer.from("0000");
function emptyPack() {
  const header = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 0]);
  return Buffer.concat([header, createHash("sha1").update(header).digest()]);
}
const ZERO = "0".repeat(40);

function authHeader(token = hub.token) {
  return { Authorization: "Basic " + Buffer.from(`user:${token}`).toString("base64") };
}

async function receivePack(id, body, { token = hub.token } = {}) {
  return hub.api("POST", `/${id}/git-receive-pack`, {
    body,
    headers: { "Content-Type": "application/x-git-receive-pack-request", ...authHeader(token) },
  });
}

describe("git over HTTP", () => {
  before(async () => {
    hub = await startHub();
    home = makeTempDir("spacehub-git-home-");
    work = makeTempDir("spacehub-git-work-");
    await git(["lfs", "install", "--skip-repo"]);
  });
  after(async () => {
    await hub?.stop();
  });

  test("clone a fresh repo, commit, push, clone again elsewhere (models, datasets, spaces; v0 and v2)", T, async () => {
    for (const [type, suffix, proto] of [["model", "", "2"], ["dataset", ".git", "0"], ["space", ".git", "2"], ["model", ".git", "1"]]) {
      const id = await newRepo({ type });
      const a = path.join(work, uniqueName("a"));
      await git(["-c", `protocol.version=${proto}`, "clone", remoteUrl(id, { type, suffix }), a]);
      // Taken before `git commit`: lastModified is the pushed commit's time, in whole seconds.
      const before = Date.now();
      writeFileSync(path.join(a, "hello.txt"), `hello ${type}\n`);
      await git(["add", "hello.txt"], { cwd: a });
      await git(["commit", "-m", "add hello"], { cwd: a });
      await git(["-c", `protocol.version=${proto}`, "push", "origin", "HEAD:main"], { cwd: a });
      const head = (await git(["rev-parse", "HEAD"], { cwd: a })).stdout.trim();
      // The push went through the same after-commit step as the API: sha and lastModified move.
      assert.equal(await repoSha(hub, { type, id }), head);
      const info = await hub.api("GET", `/api/${TYPES[type]}/${id}`, { token: hub.token });
      assert.ok(Date.parse(info.json.lastModified) >= before - 1000, JSON.stringify(info.json));
      const b = path.join(work, uniqueName("b"));
      await git(["-c", `protocol.version=${proto}`, "clone", remoteUrl(id, { type, suffix }), b]);
      assert.equal(readFileSync(path.join(b, "hello.txt"), "utf8"), `hello ${type}\n`);
      await fsckClean(id, type);
    }
  });

  test("advertisement headers: v0 service line, v2 capabilities, no-cache", T, async () => {
    const id = await newRepo();
    const v0 = await hub.api("GET", `/${id}/info/refs?service=git-upload-pack`);
    assert.equal(v0.status, 200);
    assert.equal(v0.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    assert.match(v0.headers.get("cache-control"), /no-cache/);
    assert.ok(v0.text.startsWith("001e# service=git-upload-pack\n0000"), v0.text.slice(0, 60));
    const v2 = await hub.api("GET", `/${id}.git/info/refs?service=git-upload-pack`, { headers: { "Git-Protocol": "version=2" } });
    assert.equal(v2.status, 200);
    assert.ok(v2.text.startsWith("000eversion 2\n"), v2.text.slice(0, 60));
    const dumb = await hub.api("GET", `/${id}/info/refs`);
    assert.equal(dumb.status, 403);
  });

  test("gzip request bodies are decompressed; a truncated gzip body is refused", T, async () => {
    const id = await newRepo();
    const sha = await repoSha(hub, { id });
    const req = Buffer.concat([pkt(`want ${sha}\n`), FLUSH, pkt("done\n")]);
    const headers = { "Content-Type": "application/x-git-upload-pack-request", "Content-Encoding": "gzip" };
    const ok = await hub.api("POST", `/${id}/git-upload-pack`, { body: gzipSync(req), headers });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers.get("content-type"), "application/x-git-upload-pack-result");
    assert.ok(Buffer.from(ok.bytes).includes("PACK"), "a pack comes back");
    const gz = gzipSync(req);
    const cut = await hub.api("POST", `/${id}/git-upload-pack`, { body: gz.subarray(0, gz.length - 6), headers });
    assert.equal(cut.status, 400);
  });

  test("git-lfs: push an LFS file, clone it back with its content, ls-files lists it", T, async () => {
    const id = await newRepo();
    const a = path.join(work, uniqueName("lfs-a"));
    await git(["clone", remoteUrl(id), a]);
    await git(["lfs", "install", "--local"], { cwd: a });
    await git(["lfs", "track", "*.bin"], { cwd: a });
    const big = randomBytes(11 * 1024 * 1024);
    writeFileSync(path.join(a, "weights.bin"), big);
    await git(["add", ".gitattributes", "weights.bin"], { cwd: a });
    await git(["commit", "-m", "weights"], { cwd: a });
    await git(["push", "origin", "HEAD:main"], { cwd: a });
    const b = path.join(work, uniqueName("lfs-b"));
    await git(["clone", remoteUrl(id), b]);
    assert.ok(readFileSync(path.join(b, "weights.bin")).equals(big), "smudged content matches");
    const ls = await git(["lfs", "ls-files"], { cwd: b });
    assert.match(ls.stdout, /weights\.bin/);
    // The API serves it too.
    const dl = await hub.api("GET", `/${id}/resolve/main/weights.bin`, { token: hub.token });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get("x-linked-size"), String(big.length));
    await fsckClean(id);
  });

  test("an API upload, then git pull sees it; a git push, then downloadFile sees it", T, async () => {
    const id = await newRepo();
    const a = path.join(work, uniqueName("sync"));
    await git(["clone", remoteUrl(id), a]);
    await commit(hub, { id, files: [{ path: "from-api.txt", content: "written by the API\n" }] });
    await git(["pull", "--ff-only", "origin", "main"], { cwd: a });
    assert.equal(readFileSync(path.join(a, "from-api.txt"), "utf8"), "written by the API\n");
    writeFileSync(path.join(a, "from-git.txt"), "written by git\n");
    await git(["add", "from-git.txt"], { cwd: a });
    await git(["commit", "-m", "from git"], { cwd: a });
    await git(["push", "origin", "HEAD:main"], { cwd: a });
    const blob = await hf.downloadFile({ repo: { type: "model", name: id }, path: "from-git.txt", hubUrl: hub.endpoint, accessToken: hub.token });
    assert.equal(await blob.text(), "written by git\n");
    await fsckClean(id);
  });

  test("20 concurrent clones during 5 pushes all succeed; fsck clean", T, async () => {
    const id = await newRepo();
    const seed = path.join(work, uniqueName("seed"));
    await git(["clone", remoteUrl(id), seed]);
    for (let i = 0; i < 50; i++) writeFileSync(path.join(seed, `f${i}.txt`), randomBytes(20_000).toString("hex"));
    await git(["add", "."], { cwd: seed });
    await git(["commit", "-m", "seed"], { cwd: seed });
    await git(["push", "origin", "HEAD:main"], { cwd: seed });
    const pushers = [];
    for (let i = 0; i < 5; i++) {
      const d = path.join(work, uniqueName(`p${i}`));
      await git(["clone", remoteUrl(id), d]);
      writeFileSync(path.join(d, `push-${i}.txt`), randomBytes(50_000).toString("hex"));
      await git(["add", "."], { cwd: d });
      await git(["commit", "-m", `push ${i}`], { cwd: d });
      pushers.push(d);
    }
    const jobs = [];
    for (let i = 0; i < 20; i++) jobs.push(git(["clone", remoteUrl(id), path.join(work, uniqueName(`c${i}`))]));
    pushers.forEach((d, i) => jobs.push(git(["push", "origin", `HEAD:refs/heads/branch-${i}`], { cwd: d })));
    const results = await Promise.allSettled(jobs);
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
    assert.deepEqual(failed, []);
    const refs = await hub.api("GET", `/api/models/${id}/refs`, { token: hub.token });
    assert.equal(refs.json.branches.length, 6, refs.text);
    await fsckClean(id);
  });

  test("a file over 10 MB outside LFS is refused with a git-lfs hint; repo untouched", T, async () => {
    const id = await newRepo();
    const sha = await repoSha(hub, { id });
    const a = path.join(work, uniqueName("big"));
    await git(["clone", remoteUrl(id), a]);
    writeFileSync(path.join(a, "huge.dat"), randomBytes(11 * 1000 * 1000));
    await git(["add", "huge.dat"], { cwd: a });
    await git(["commit", "-m", "huge"], { cwd: a });
    const r = await git(["push", "origin", "HEAD:main"], { cwd: a, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /remote: error: "huge\.dat" is 11\.0 MB/);
    assert.match(r.stderr, /git lfs track/);
    assert.match(r.stderr, /pre-receive hook declined/);
    assert.equal(await repoSha(hub, { id }), sha);
    await fsckClean(id);
  });

  test("an LFS pointer to an object never uploaded to this repo is refused", T, async () => {
    const id = await newRepo();
    const other = await newRepo();
    // An object that exists on the server, but uploaded to another repo.
    const data = randomBytes(1000);
    const { oid, size } = await lfsUpload(hub, { id: other, data });
    const sha = await repoSha(hub, { id });
    const a = path.join(work, uniqueName("ptr"));
    await git(["clone", remoteUrl(id), a]);
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
    writeFileSync(path.join(a, "model.safetensors"), pointer);
    writeFileSync(path.join(a, "missing.bin"), pointer.replace(oid, "ab".repeat(32)));
    await git(["add", "."], { cwd: a });
    await git(["commit", "-m", "pointers"], { cwd: a });
    // --no-verify: git-lfs's own pre-push hook would stop this before the server sees it.
    const r = await git(["push", "--no-verify", "origin", "HEAD:main"], { cwd: a, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /model\.safetensors" points to LFS object/);
    assert.match(r.stderr, /missing\.bin" points to LFS object/);
    assert.equal(await repoSha(hub, { id }), sha);
    await fsckClean(id);
  });

  test("auth: anonymous public read; private → 401 with Basic challenge, 404 for others; wrong password", T, async () => {
    const pub = await newRepo();
    await git(["clone", remoteUrl(pub, { token: null }), path.join(work, uniqueName("anon"))]);
    const priv = await newRepo({ visibility: "private" });
    const anon = await hub.api("GET", `/${priv}/info/refs?service=git-upload-pack`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate"), /^Basic realm="spacehub"/);
    const missingAnon = await hub.api("GET", `/admin/${uniqueName("nope")}/info/refs?service=git-upload-pack`);
    assert.equal(missingAnon.status, 401, "unknown and private look the same to anonymous callers");
    const c = await git(["clone", remoteUrl(priv, { token: null }), path.join(work, uniqueName("x"))], { allowFail: true });
    assert.notEqual(c.code, 0);
    await git(["clone", remoteUrl(priv), path.join(work, uniqueName("owner"))]);
    const otherToken = await hub.createUser(uniqueName("u"));
    const other = await hub.api("GET", `/${priv}/info/refs?service=git-upload-pack`, { headers: authHeader(otherToken) });
    assert.equal(other.status, 404);
    const unknown = await git(["clone", remoteUrl(`admin/${uniqueName("nope")}`), path.join(work, uniqueName("y"))], { allowFail: true });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /not found|404/i);
    // A wrong password: git is challenged (private repo), retries with it and gives up.
    const badToken = "hf_" + "x".repeat(34);
    const wrong = await git(["clone", remoteUrl(priv, { token: badToken }), path.join(work, uniqueName("z"))], { allowFail: true });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Authentication failed/);
    // Sent up front (http.extraHeader), a wrong token is a 401 even on a public repo.
    const wrongPub = await git(
      ["-c", `http.extraHeader=Authorization: Basic ${Buffer.from(`user:${badToken}`).toString("base64")}`, "clone", remoteUrl(pub, { token: null }), path.join(work, uniqueName("z"))],
      { allowFail: true },
    );
    assert.notEqual(wrongPub.code, 0);
    assert.match(wrongPub.stderr, /401|Authentication failed|could not read Username/);
    const wrongRaw = await hub.api("GET", `/${pub}/info/refs?service=git-upload-pack`, { headers: authHeader(badToken) });
    assert.equal(wrongRaw.status, 401);
    assert.match(wrongRaw.headers.get("www-authenticate"), /^Basic/);
    // Pushing needs credentials: anonymous push is challenged.
    const anonPush = await hub.api("GET", `/${pub}/info/refs?service=git-receive-pack`);
    assert.equal(anonPush.status, 401);
  });

  test("a read-only token cannot push: 403 with a message git prints", T, async () => {
    const id = await newRepo();
    const sha = await repoSha(hub, { id });
    const readToken = (await hub.admin(["token", "create", "admin", "--role", "read"])).match(/hf_[A-Za-z0-9]+/)[0];
    const a = path.join(work, uniqueName("ro"));
    await git(["clone", remoteUrl(id, { token: readToken }), a]);
    writeFileSync(path.join(a, "x.txt"), "x\n");
    await git(["add", "x.txt"], { cwd: a });
    await git(["commit", "-m", "x"], { cwd: a });
    const r = await git(["push", "origin", "HEAD:main"], { cwd: a, allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /remote: This token has the read role/);
    assert.match(r.stderr, /403/);
    assert.equal(await repoSha(hub, { id }), sha);
    await fsckClean(id);
  });

  test("ref rules: '..', leading '-', refs/pr/*, other namespaces are refused; nothing moves", T, async () => {
    const id = await newRepo();
    const sha = await repoSha(hub, { id });
    for (const ref of ["refs/heads/a..b", "refs/heads/-evil", "refs/pr/1", "refs/notes/x", "refs/heads/ok/-x"]) {
      const body = Buffer.concat([pkt(`${ZERO} ${sha} ${ref}\0report-status\n`), FLUSH, emptyPack()]);
      const r = await receivePack(id, body);
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, new RegExp(`ng ${ref.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `), r.text);
    }
    // Through git itself, for the names git lets a user type.
    const a = path.join(work, uniqueName("refs"));
    await git(["clone", remoteUrl(id), a]);
    const dash = await git(["push", "origin", "HEAD:refs/heads/-evil"], { cwd: a, allowFail: true });
    assert.notEqual(dash.code, 0);
    assert.match(dash.stderr, /may not be empty or begin with '-'/);
    const pr = await git(["push", "origin", "HEAD:refs/pr/7"], { cwd: a, allowFail: true });
    assert.notEqual(pr.code, 0);
    assert.match(pr.stderr, /pull-request refs are read-only/);
    const refs = await hub.api("GET", `/api/models/${id}/refs`, { token: hub.token });
    assert.deepEqual(refs.json.branches.map((b) => b.name), ["main"]);
    assert.equal(await repoSha(hub, { id }), sha);
    await fsckClean(id);
  });

  test("malformed pkt-lines are refused cleanly", T, async () => {
    const id = await newRepo();
    const sha = await repoSha(hub, { id });
    for (const svc of ["upload-pack", "receive-pack"]) {
      const r = await hub.api("POST", `/${id}/git-${svc}`, {
        body: "zzzz this is not a pkt-line stream",
        headers: { "Content-Type": `application/x-git-${svc}-request`, ...authHeader() },
      });
      assert.equal(r.status, 400, `${svc}: ${r.status} ${r.text}`);
      assert.match(r.text, /refused the request/);
    }
    const wrongType = await hub.api("POST", `/${id}/git-upload-pack`, { body: "0000", headers: { "Content-Type": "text/plain" } });
    assert.equal(wrongType.status, 400);
    assert.equal(await repoSha(hub, { id }), sha);
    await fsckClean(id);
  });

  test("a request body cut off mid-pack leaves the repo untouched", T, async () => {
    const id = await newRepo();
    const sha = await repoSha(hub, { id });
    // A real pack: a commit on top of main, made in a clone, packed by git.
    const a = path.join(work, uniqueName("cut"));
    await git(["clone", remoteUrl(id), a]);
    writeFileSync(path.join(a, "data.txt"), randomBytes(300_000).toString("hex"));
    await git(["add", "."], { cwd: a });
    await git(["commit", "-m", "to be cut"], { cwd: a });
    const head = (await git(["rev-parse", "HEAD"], { cwd: a })).stdout.trim();
    const pack = await new Promise((resolve, reject) => {
      const child = execFile("git", ["pack-objects", "--revs", "--stdout"], { cwd: a, env: gitEnv(home), encoding: "buffer", maxBuffer: 64 << 20 }, (e, out) => (e ? reject(e) : resolve(out)));
      child.stdin.end(`${head}\n^${sha}\n`);
    });
    const body = Buffer.concat([pkt(`${sha} ${head} refs/heads/main\0report-status\n`), FLUSH, pack]);
    const u = new URL(hub.endpoint);
    const head1 =
      `POST /${id}/git-receive-pack HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/x-git-receive-pack-request\r\n` +
      `Authorization: ${authHeader().Authorization}\r\nContent-Length: ${body.length}\r\n\r\n`;
    // 1. The connection drops halfway through the body.
    const r1 = await rawHttp(hub.endpoint, { head: head1, body: [body.subarray(0, body.length >> 1)], timeoutMs: 60_000 });
    assert.notEqual(r1.status, 200);
    // The server closed the connection: it has seen the cut and is done with that push.
    assert.equal(r1.timedOut, false, "the server noticed the cut body and closed");
    // 2. The HTTP body is complete but the pack inside it is truncated.
    const short = body.subarray(0, body.length - 1000);
    const r2 = await receivePack(id, short);
    assert.equal(r2.status, 200);
    assert.match(r2.text, /unpack [^o]|ng refs\/heads\/main/, r2.text);
    // Both pushes are over (the report of the second came back), so the ref is final.
    assert.equal(await repoSha(hub, { id }), sha);
    await fsckClean(id);
    // The repository still takes a proper push afterwards.
    await git(["push", "origin", "HEAD:main"], { cwd: a });
    assert.equal(await repoSha(hub, { id }), head);
  });
});

// LFS objects are stored once by content, but a repo may reference and serve only the objects
// linked to it: uploaded through its own LFS batch API, or copied along from a duplicated Space that
// had them (src/service/lfs_links.h). Each attack below is run as an attacker would run it (knowing
// nothing but the victim's object hash), with the legitimate use beside it.
//
//   alice: owns a private model with an LFS file (the victim).
//   bob:   knows the hash of alice's file and tries every way to get a pointer to it into his repos.
//   carol: duplicates bob's Space.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { startHub, uniqueName, makeTempDir, createRepo, commit, commitRaw, repoSha, lfsUpload, sha256 } from "./harness.mjs";
import { runGit, remoteUrl as gitRemoteUrl, bareDir as gitBareDir } from "./git_lib.mjs";

const T = { timeout: 180_000 };
const VERSIONS = {
  current: "https://git-lfs.github.com/spec/v1",
  hawser: "https://hawser.github.com/spec/v1",
  gitMedia: "http://git-media.io/v/2",
};

let hub;
let home;
let work;
const tok = {};
let secret; // alice's private bytes
let secretOid;
let aliceRepo; // alice/<private model>

const pointer = (oid, size, version = VERSIONS.current, eol = "\n") =>
  `version ${version}${eol}oid sha256:${oid}${eol}size ${size}${eol}`;

const git = (args, { cwd = work, allowFail = false, env = {} } = {}) => runGit(args, { cwd, home, allowFail, env });
const remoteUrl = (id, token, type = "model") => gitRemoteUrl(hub.endpoint, id, { type, token });
const bareDir = (id, type = "model") => gitBareDir(hub.dataDir, id, type);

async function newRepo(user, { type = "model", visibility } = {}) {
  const name = uniqueName("ll");
  const r = await createRepo(hub, { type, name, token: tok[user], visibility });
  assert.equal(r.status, 200, r.text);
  return `${user}/${name}`;
}

const resolve = (id, file, token, type = "model") =>
  hub.api("GET", `/${type === "model" ? "" : `${type}s/`}${id}/resolve/main/${file}`, { token });

/** The git-lfs batch download, as `git lfs pull` sends it. */
async function batchDownload(id, token, oid, size, type = "model") {
  const r = await hub.api("POST", `/${type === "model" ? "" : `${type}s/`}${id}.git/info/lfs/objects/batch`, {
    token,
    body: JSON.stringify({ operation: "download", transfers: ["basic"], objects: [{ oid, size }] }),
    headers: { Accept: "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json" },
  });
  assert.equal(r.status, 200, r.text);
  return r.json.objects[0];
}

/**
 * Writes files straight into a bare repo's main branch with git plumbing, bypassing every hub
 * check: how a pointer could exist without having passed the commit API or a push (old data, a
 * repo edited on disk). Done while the hub is stopped, so that no cache of its refs is stale.
 */
async function writeBehindTheHubsBack(id, files, type = "model") {
  const gitDir = bareDir(id, type);
  const head = (await git(["--git-dir", gitDir, "rev-parse", "refs/heads/main"])).stdout.trim();
  const index = path.join(work, uniqueName("index"));
  const env = { GIT_INDEX_FILE: index };
  await git(["--git-dir", gitDir, "read-tree", head], { env });
  for (const [name, content] of Object.entries(files)) {
    const blobFile = path.join(work, uniqueName("blob"));
    writeFileSync(blobFile, content);
    const blob = (await git(["--git-dir", gitDir, "hash-object", "-w", blobFile])).stdout.trim();
    await git(["--git-dir", gitDir, "update-index", "--add", "--cacheinfo", `100644,${blob},${name}`], { env });
  }
  const tree = (await git(["--git-dir", gitDir, "write-tree"], { env })).stdout.trim();
  const c = (await git(["--git-dir", gitDir, "commit-tree", tree, "-p", head, "-m", "behind the hub's back"])).stdout.trim();
  await git(["--git-dir", gitDir, "update-ref", "refs/heads/main", c, head]);
  return c;
}

let injectedRepo; // bob's model with pointers to alice's object written behind the hub's back
let injectedSpace; // bob's Space: his own LFS file, and such pointers
let spaceOwn; // the bytes of bob's own LFS file in that Space

before(async () => {
  const args = ["--space-runtime", "none"];
  hub = await startHub({ args });
  home = makeTempDir("spacehub-ll-home-");
  work = makeTempDir("spacehub-ll-work-");
  for (const u of ["alice", "bob", "carol"]) tok[u] = await hub.createUser(u);
  // The victim: an 11 MB private file, uploaded and committed the way the clients do it.
  aliceRepo = await newRepo("alice", { visibility: "private" });
  secret = randomBytes(11 * 1024 * 1024);
  const { oid, size } = await lfsUpload(hub, { id: aliceRepo, token: tok.alice, data: secret });
  secretOid = oid;
  assert.equal(size, secret.length);
  await commit(hub, { id: aliceRepo, token: tok.alice, lfsFiles: [{ path: "weights.bin", oid, size }] });

  injectedRepo = await newRepo("bob");
  injectedSpace = await newRepo("bob", { type: "space" });
  spaceOwn = randomBytes(100_000);
  const own = await lfsUpload(hub, { type: "space", id: injectedSpace, token: tok.bob, data: spaceOwn });
  await commit(hub, { type: "space", id: injectedSpace, token: tok.bob, lfsFiles: [{ path: "own.bin", ...own }] });

  const { dataDir, token } = hub;
  await hub.stop({ keepData: true });
  await writeBehindTheHubsBack(injectedRepo, {
    "stolen.bin": pointer(secretOid, secret.length),
    "stolen-hawser.bin": pointer(secretOid, secret.length, VERSIONS.hawser),
  });
  await writeBehindTheHubsBack(
    injectedSpace,
    { "stolen.bin": pointer(secretOid, secret.length, VERSIONS.hawser), "stolen2.bin": pointer(secretOid, secret.length) },
    "space",
  );
  hub = await startHub({ dataDir, token, args });
});

after(async () => {
  await hub?.stop();
});

test("the owner uploads and reads its private LFS file; others cannot see the repo", T, async () => {
  const r = await resolve(aliceRepo, "weights.bin", tok.alice);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.bytes.equals(secret), "the owner reads its bytes back");
  assert.equal(r.headers.get("x-linked-size"), String(secret.length));
  assert.equal((await resolve(aliceRepo, "weights.bin", tok.bob)).status, 404);
  const dl = await batchDownload(aliceRepo, tok.alice, secretOid, secret.length);
  assert.ok(dl.actions?.download?.href, JSON.stringify(dl));
});

test("commit API: a plain file holding a pointer to another repo's object is refused, nothing written", T, async () => {
  const id = await newRepo("bob");
  const before = await repoSha(hub, { id, token: tok.bob });
  const variants = {
    "current.bin": pointer(secretOid, secret.length, VERSIONS.current),
    "hawser.bin": pointer(secretOid, secret.length, VERSIONS.hawser),
    "git-media.bin": pointer(secretOid, secret.length, VERSIONS.gitMedia),
    "crlf.bin": pointer(secretOid, secret.length, VERSIONS.hawser, "\r\n"),
    "padded.bin": `\n\n  ${pointer(secretOid, secret.length).trimEnd()}  \n\n`,
  };
  for (const [file, content] of Object.entries(variants)) {
    const r = await commitRaw(hub, { id, token: tok.bob, files: [{ path: file, content }] });
    assert.ok([400, 422].includes(r.status), `${file}: ${r.status} ${r.text}`);
    assert.match(r.headers.get("x-error-message") ?? r.text, /LFS pointer to object [0-9a-f]{64}, which was not uploaded to this repository/);
    assert.equal(await repoSha(hub, { id, token: tok.bob }), before, `${file}: the repo moved`);
    assert.equal((await resolve(id, file, tok.bob)).status, 404);
  }
  // The lfsFile operation with the bare hash is refused as well.
  const lfs = await commitRaw(hub, { id, token: tok.bob, lfsFiles: [{ path: "w.bin", oid: secretOid, size: secret.length }] });
  assert.ok([400, 422].includes(lfs.status), lfs.text);
  assert.equal(await repoSha(hub, { id, token: tok.bob }), before);
  // And the batch API does not hand the object out to bob's repo.
  const dl = await batchDownload(id, tok.bob, secretOid, secret.length);
  assert.equal(dl.error?.code, 404, JSON.stringify(dl));
  assert.equal(dl.actions, undefined);
  // Beside it: a plain file that merely talks about pointers is an ordinary file.
  const doc = `How LFS works:\n${pointer(secretOid, secret.length)}and that is all.\n`;
  await commit(hub, { id, token: tok.bob, files: [{ path: "NOTES.md", content: doc }] });
  assert.equal((await resolve(id, "NOTES.md", tok.bob)).text, doc);
});

test("commit API: a pointer to an object this repo did upload is accepted (as a plain file or lfsFile)", T, async () => {
  const id = await newRepo("bob");
  const mine = randomBytes(300_000);
  const { oid, size } = await lfsUpload(hub, { id, token: tok.bob, data: mine });
  await commit(hub, { id, token: tok.bob, files: [{ path: "mine.bin", content: pointer(oid, size, VERSIONS.hawser) }] });
  const r = await resolve(id, "mine.bin", tok.bob);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.bytes.equals(mine));
  // A wrong size in the pointer is refused: the hub would announce one size and send another.
  const wrong = await commitRaw(hub, { id, token: tok.bob, files: [{ path: "w.bin", content: pointer(oid, size + 1) }] });
  assert.equal(wrong.status, 400, wrong.text);
});

test("git push: pointers with the hawser, git-media and CRLF forms to another repo's object are refused", T, async () => {
  const id = await newRepo("bob");
  const before = await repoSha(hub, { id, token: tok.bob });
  const dir = path.join(work, uniqueName("push"));
  await git(["clone", remoteUrl(id, tok.bob), dir]);
  const files = {
    "hawser.bin": pointer(secretOid, secret.length, VERSIONS.hawser),
    "git-media.bin": pointer(secretOid, secret.length, VERSIONS.gitMedia),
    "crlf.bin": pointer(secretOid, secret.length, VERSIONS.current, "\r\n"),
  };
  for (const [f, c] of Object.entries(files)) writeFileSync(path.join(dir, f), c);
  await git(["add", "."], { cwd: dir });
  await git(["commit", "-m", "pointers to alice's object"], { cwd: dir });
  // --no-verify: git-lfs's own pre-push hook is the client's, not a boundary the hub relies on.
  const r = await git(["push", "--no-verify", "origin", "HEAD:main"], { cwd: dir, allowFail: true });
  assert.notEqual(r.code, 0, r.stderr);
  for (const f of Object.keys(files)) {
    assert.match(r.stderr, new RegExp(`"${f.replace(".", "\\.")}" points to LFS object ${secretOid}`));
  }
  assert.match(r.stderr, /pre-receive hook declined/);
  assert.equal(await repoSha(hub, { id, token: tok.bob }), before);
  // Beside it: git-lfs pushing bob's own LFS file works (the objects go up through the batch API).
  const own = path.join(work, uniqueName("own"));
  await git(["clone", remoteUrl(id, tok.bob), own]);
  await git(["lfs", "install", "--local"], { cwd: own });
  await git(["lfs", "track", "*.bin"], { cwd: own });
  const data = randomBytes(200_000);
  writeFileSync(path.join(own, "own.bin"), data);
  await git(["add", ".gitattributes", "own.bin"], { cwd: own });
  await git(["commit", "-m", "own"], { cwd: own });
  await git(["push", "origin", "HEAD:main"], { cwd: own });
  assert.ok((await resolve(id, "own.bin", tok.bob)).bytes.equals(data));
});

test("a pointer that got into a repo anyway serves nothing: resolve 404, no LFS info, batch 404, git-lfs fails", T, async () => {
  const id = injectedRepo;
  for (const f of ["stolen.bin", "stolen-hawser.bin"]) {
    const r = await resolve(id, f, tok.bob);
    assert.equal(r.status, 404, `${f}: ${r.status}`);
    assert.ok(!r.bytes.includes(secret.subarray(0, 64)), "no private bytes in the answer");
    const head = await hub.api("HEAD", `/${id}/resolve/main/${f}`, { token: tok.bob });
    assert.equal(head.status, 404);
    assert.equal(head.headers.get("x-linked-size"), null);
  }
  const tree = await hub.api("GET", `/api/models/${id}/tree/main`, { token: tok.bob });
  assert.equal(tree.status, 200, tree.text);
  const entry = tree.json.find((e) => e.path === "stolen.bin");
  assert.ok(entry, tree.text);
  assert.equal(entry.lfs, undefined, "no LFS info for an object the repo does not have");
  assert.ok(entry.size < 1024, "described as the pointer blob it is");
  const info = await hub.api("POST", `/api/models/${id}/paths-info/main`, { token: tok.bob, json: { paths: ["stolen.bin"], expand: true } });
  assert.equal(info.status, 200, info.text);
  assert.equal(info.json[0].lfs, undefined, info.text);
  const dl = await batchDownload(id, tok.bob, secretOid, secret.length);
  assert.equal(dl.error?.code, 404, JSON.stringify(dl));
  // The real git-lfs client gets nothing either.
  const dir = path.join(work, uniqueName("clone"));
  await git(["clone", remoteUrl(id, tok.bob), dir], { env: { GIT_LFS_SKIP_SMUDGE: "1" } });
  await git(["lfs", "install", "--local"], { cwd: dir });
  const pull = await git(["lfs", "pull"], { cwd: dir, allowFail: true });
  assert.notEqual(pull.code, 0, "git lfs pull must fail");
  const got = readFileSync(path.join(dir, "stolen.bin"));
  assert.ok(!got.equals(secret), "the private bytes never reach bob's working tree");
  const cached = path.join(dir, ".git", "lfs", "objects", secretOid.slice(0, 2), secretOid.slice(2, 4), secretOid);
  assert.equal(existsSync(cached), false);
  // The owner still reads the object through her own repo.
  assert.ok((await resolve(aliceRepo, "weights.bin", tok.alice)).bytes.equals(secret));
});

test("Space duplication copies the links the source had, and no others", T, async () => {
  const space = injectedSpace;
  assert.equal((await resolve(space, "own.bin", tok.bob, "space")).status, 200);
  assert.equal((await resolve(space, "stolen.bin", tok.bob, "space")).status, 404);

  const copy = `carol/${uniqueName("copy")}`;
  const d = await hub.api("POST", `/api/spaces/${space}/duplicate`, { token: tok.carol, json: { repository: copy } });
  assert.equal(d.status, 200, d.text);
  // The legitimate file comes along and is readable in the copy.
  const mine = await resolve(copy, "own.bin", tok.carol, "space");
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.bytes.equals(spaceOwn));
  // The pointers to alice's object are copied as they are, and serve nothing there either.
  for (const f of ["stolen.bin", "stolen2.bin"]) {
    const r = await resolve(copy, f, tok.carol, "space");
    assert.equal(r.status, 404, `${f}: ${r.status}`);
  }
  const dl = await batchDownload(copy, tok.carol, secretOid, secret.length, "space");
  assert.equal(dl.error?.code, 404, JSON.stringify(dl));
  // Nor does the copy let carol commit a pointer to it.
  const c = await commitRaw(hub, { type: "space", id: copy, token: tok.carol, files: [{ path: "again.bin", content: pointer(secretOid, secret.length) }] });
  assert.equal(c.status, 400, c.text);
});

test("the same bytes uploaded through a second repo's own batch are deduplicated and readable there", T, async () => {
  // Alice's second repo: she has the bytes, so she uploads them again (the store keeps one copy).
  const second = await newRepo("alice", { visibility: "private" });
  const b = await hub.api("POST", `/${second}.git/info/lfs/objects/batch`, {
    token: tok.alice,
    body: JSON.stringify({ operation: "upload", transfers: ["basic"], objects: [{ oid: secretOid, size: secret.length }] }),
    headers: { Accept: "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json" },
  });
  assert.equal(b.status, 200, b.text);
  assert.ok(b.json.objects[0].actions?.upload, "knowing the hash is not enough: the bytes must be sent");
  await lfsUpload(hub, { id: second, token: tok.alice, data: secret });
  await commit(hub, { id: second, token: tok.alice, lfsFiles: [{ path: "copy.bin", oid: secretOid, size: secret.length }] });
  const r = await resolve(second, "copy.bin", tok.alice);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.bytes.equals(secret));
  assert.equal(sha256(r.bytes), secretOid);
  // Anyone who really has the bytes may upload them to their own repo the same way.
  const bobs = await newRepo("bob");
  await lfsUpload(hub, { id: bobs, token: tok.bob, data: secret });
  await commit(hub, { id: bobs, token: tok.bob, files: [{ path: "same.bin", content: pointer(secretOid, secret.length) }] });
  assert.ok((await resolve(bobs, "same.bin", tok.bob)).bytes.equals(secret));
});

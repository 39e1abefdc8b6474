// Origins and host names (issue #13, items 6 and 7), each written as the attack with the
// legitimate use beside it:
//  - the URLs the hub hands out (signed LFS URLs, `Link` pagination, repo `url`s) come from its
//    configuration or listening address, never from the client's `Host` (a request with
//    `Host: evil.example` — sent to 127.0.0.1 only — still gets URLs pointing at the hub);
//  - two Spaces never share a host label (`a-b/c` and `a/b-c` are both `a-b-c`): creating,
//    duplicating or renaming onto a taken label is a 409 naming the other Space (unless the caller
//    may not see it), in either order.
// Needs no Space runtime: runs everywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { startHub, uniqueName, removeTempDir, createRepo, hostRequest, sha256, commit } from "./harness.mjs";

let hub;

before(async () => {
  hub = await startHub({ args: ["--space-runtime", "none"] });
});

after(async () => {
  if (!hub) return;
  await hub.stop();
  removeTempDir(hub.dataDir);
});

const EVIL = "evil.example";
const json = (r) => JSON.parse(r.text);

test("a client's Host never reaches the URLs the hub hands out: LFS batch, Link, repo url", async () => {
  const name = uniqueName("origin");
  const auth = { authorization: `Bearer ${hub.token}` };
  const created = await hostRequest(hub, EVIL, "/api/repos/create", {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name, type: "model" }),
  });
  assert.equal(created.status, 200, created.text);
  assert.equal(json(created).url, `${hub.endpoint}/admin/${name}`);

  // Signed LFS URLs: the attack (Host: evil.example) and the legitimate use (the hub's own address)
  // get the same hrefs, and the upload through them works.
  const data = randomBytes(4096);
  const object = { oid: sha256(data), size: data.length };
  const batch = (host) =>
    hostRequest(hub, host, `/admin/${name}.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { ...auth, accept: "application/vnd.git-lfs+json", "content-type": "application/vnd.git-lfs+json" },
      body: JSON.stringify({ operation: "upload", transfers: ["basic"], hash_algo: "sha256", objects: [object] }),
    });
  const hubHost = new URL(hub.endpoint).host;
  const [evil, legit] = [await batch(EVIL), await batch(hubHost)];
  assert.equal(evil.status, 200, evil.text);
  assert.equal(legit.status, 200, legit.text);
  const actions = (r) => json(r).objects[0].actions;
  for (const [op, a] of Object.entries(actions(evil))) {
    assert.ok(a.href.startsWith(`${hub.endpoint}/`), `${op}: ${a.href}`);
    assert.ok(!a.href.includes(EVIL), `${op}: ${a.href}`);
  }
  assert.equal(actions(legit).upload.href.split("/").slice(0, 3).join("/"), hub.endpoint);
  const up = actions(evil).upload;
  const put = await hub.api("PUT", up.href, { body: data, headers: { ...(up.header ?? {}) } });
  assert.ok(put.status >= 200 && put.status < 300, `${put.status} ${put.text}`);
  await commit(hub, { id: `admin/${name}`, lfsFiles: [{ path: "w.bin", ...object }] });
  const back = await hub.api("GET", `/admin/${name}/resolve/main/w.bin`, { token: hub.token });
  assert.equal(back.status, 200);
  assert.ok(back.bytes.equals(data), "the owner reads the LFS file back");

  // A download batch too.
  const down = await hostRequest(hub, EVIL, `/admin/${name}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...auth, accept: "application/vnd.git-lfs+json", "content-type": "application/vnd.git-lfs+json" },
    body: JSON.stringify({ operation: "download", transfers: ["basic"], objects: [object] }),
  });
  assert.equal(down.status, 200, down.text);
  assert.ok(json(down).objects[0].actions.download.href.startsWith(`${hub.endpoint}/`), down.text);

  // Link: rel="next" of a paged listing.
  for (let i = 0; i < 2; i++) assert.equal((await createRepo(hub, { name: uniqueName("page") })).status, 200);
  const page = await hostRequest(hub, EVIL, "/api/models?author=admin&limit=1");
  assert.equal(page.status, 200, page.text);
  const next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.link ?? "");
  assert.ok(next, `no Link: ${page.headers.link}`);
  assert.ok(next[1].startsWith(`${hub.endpoint}/api/models?`), next[1]);
  const followed = await hub.api("GET", next[1]);
  assert.equal(followed.status, 200, "the legitimate client follows the Link");
});

// Host labels: user names chosen so that `${u}-x/c` and `${u}/x-c` map to one label.
test("two Spaces never share a host label: create, duplicate and move are refused in either order", async () => {
  const base = uniqueName("h");
  const a = base; // a/x-…
  const ab = `${base}-x`; // ab/… (ab = a + "-x")
  const tokenA = await hub.createUser(a);
  const tokenAB = await hub.createUser(ab);
  const space = (token, name, extra = {}) =>
    hub.api("POST", "/api/repos/create", { token, json: { type: "space", sdk: "static", name, ...extra } });

  // Older a/x-c, then ab/c: refused, naming the other Space.
  assert.equal((await space(tokenA, "x-c")).status, 200);
  const second = await space(tokenAB, "c");
  assert.equal(second.status, 409, second.text);
  assert.match(second.text, new RegExp(`${a}/x-c`));
  assert.equal(second.headers.get("x-error-code"), "SpaceHostTaken");
  assert.equal((await hub.api("GET", `/api/spaces/${ab}/c`, { token: tokenAB })).status, 404, "nothing left behind");

  // The other order: older ab/d, then a/x-d.
  assert.equal((await space(tokenAB, "d")).status, 200);
  const third = await space(tokenA, "x-d");
  assert.equal(third.status, 409, third.text);
  assert.match(third.text, new RegExp(`${ab}/d`));

  // Case, '_' and '.' fold too: a/X_e then a/x-e (one owner: still one host).
  assert.equal((await space(tokenA, "X_e")).status, 200);
  assert.equal((await space(tokenA, "x.e")).status, 409);

  // A private Space is not named to someone who may not read it.
  assert.equal((await space(tokenA, "x-p", { private: true })).status, 200);
  const hidden = await space(tokenAB, "p");
  assert.equal(hidden.status, 409, hidden.text);
  assert.ok(!hidden.text.includes(`${a}/x-p`), hidden.text);
  assert.match(hidden.text, /another Space/);

  // Duplicating onto a taken label.
  const dup = await hub.api("POST", `/api/spaces/${a}/x-c/duplicate`, { token: tokenAB, json: { repository: `${ab}/c` } });
  assert.equal(dup.status, 409, dup.text);
  // Renaming onto a taken label; the Space keeps its name.
  assert.equal((await space(tokenAB, "free")).status, 200);
  const move = await hub.api("POST", "/api/repos/move", { token: tokenAB, json: { fromRepo: `${ab}/free`, toRepo: `${ab}/c`, type: "space" } });
  assert.equal(move.status, 409, move.text);
  assert.equal((await hub.api("GET", `/api/spaces/${ab}/free`, { token: tokenAB })).status, 200);

  // The legitimate uses: labels that differ are fine, a rename to a free label works, a duplicate to
  // a free label works, and other repo types have no host.
  const dupOk = await hub.api("POST", `/api/spaces/${a}/x-c/duplicate`, { token: tokenAB, json: { repository: `${ab}/copy` } });
  assert.equal(dupOk.status, 200, dupOk.text);
  const moveOk = await hub.api("POST", "/api/repos/move", { token: tokenAB, json: { fromRepo: `${ab}/free`, toRepo: `${ab}/free2`, type: "space" } });
  assert.equal(moveOk.status, 200, moveOk.text);
  assert.equal((await createRepo(hub, { name: "c", token: tokenAB })).status, 200, "a model ab/c");
  assert.equal((await createRepo(hub, { name: "x-c", token: tokenA })).status, 200, "a model a/x-c");
});

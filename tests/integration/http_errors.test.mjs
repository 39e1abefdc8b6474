// HTTP-level error paths: every rejection must be a clean status + X-Error-Code / X-Error-Message headers +
// JSON {"error": ...} body, and must leave the repository exactly as it was.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import {
  startHub,
  uniqueName,
  sha256,
  createRepo,
  repoSha,
  commit,
  commitRaw,
  lfsBatch,
  lfsUpload,
  lfsObjectPath,
  rawHttp,
} from "./harness.mjs";

const T = { timeout: 60_000 };

/** Assert an error response: status, X-Error-Message, JSON body.error and (optionally) X-Error-Code. */
function assertError(r, status, code, { body = true } = {}) {
  const ctx = `${r.url} → ${r.status} ${r.headers.get("x-error-code") ?? ""} ${r.headers.get("x-error-message") ?? ""} ${r.text.slice(0, 300)}`;
  if (Array.isArray(status)) assert.ok(status.includes(r.status), `expected one of ${status}: ${ctx}`);
  else if (typeof status === "function") assert.ok(status(r.status), `unexpected status: ${ctx}`);
  else assert.equal(r.status, status, ctx);
  if (code) assert.equal(r.headers.get("x-error-code"), code, ctx);
  assert.ok((r.headers.get("x-error-message") ?? "").length > 0, `X-Error-Message missing: ${ctx}`);
  if (body) {
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/, `error body is not JSON: ${ctx}`);
    assert.equal(typeof r.json?.error, "string", `body.error missing: ${ctx}`);
    assert.ok(r.json.error.length > 0, ctx);
  }
}
const is4xx = (s) => s >= 400 && s < 500;

describe("HTTP error paths", () => {
  let hub;
  const name = uniqueName("errs");
  const id = () => `admin/${name}`;
  const hello = Buffer.from("0123456789abcdefghij"); // 20 bytes, regular file
  const lfsData = randomBytes(64 * 1024); // LFS file (committed through lfsFile)
  let lfsOid;

  before(async () => {
    hub = await startHub();
    const c = await createRepo(hub, { name });
    assert.equal(c.status, 200, c.text);
    ({ oid: lfsOid } = await lfsUpload(hub, { id: id(), data: lfsData }));
    await commit(hub, {
      id: id(),
      summary: "seed",
      files: [{ path: "hello.txt", content: hello }],
      lfsFiles: [{ path: "weights.bin", oid: lfsOid, size: lfsData.length }],
    });
  });

  after(async () => {
    await hub?.stop();
  });

  // ------------------------------------------------------------------ repo creation

  describe("repo creation", () => {
    const bad = {
      "contains a space": "bad name",
      "dot-dot": "..",
      "97 characters": "a".repeat(97),
      "reserved word api": "api",
      "leading dash": "-leading",
      "slash in name": "a/b",
      empty: "",
    };
    for (const [label, bname] of Object.entries(bad)) {
      test(`invalid repo name (${label}) → 400`, T, async () => {
        const r = await createRepo(hub, { name: bname });
        assertError(r, 400);
        if (bname && !bname.includes("/")) {
          const info = await hub.api("GET", `/api/models/admin/${encodeURIComponent(bname)}`, { token: hub.token });
          assert.notEqual(info.status, 200, `repo admin/${bname} must not exist after a rejected create`);
        }
      });
    }

    test("96-character name is accepted (boundary)", T, async () => {
      const n = ("b" + uniqueName("x")).padEnd(96, "z");
      assert.equal(n.length, 96);
      const r = await createRepo(hub, { name: n });
      assert.equal(r.status, 200, r.text);
    });

    test("create existing repo → 409 with url in the body", T, async () => {
      const r = await createRepo(hub, { name });
      assertError(r, 409);
      assert.equal(typeof r.json.url, "string");
      assert.ok(r.json.url.endsWith(`/admin/${name}`), `url ${r.json.url}`);
      assert.ok(r.json.url.startsWith(hub.endpoint), `url ${r.json.url} should be on ${hub.endpoint}`);
    });

    test("create in a namespace the user does not belong to → 403", T, async () => {
      const other = uniqueName("u");
      await hub.admin(["user", "create", other]);
      const carolTok = await hub.createUser(uniqueName("carol"));
      const r = await createRepo(hub, { name: uniqueName("x"), organization: other, token: carolTok });
      assertError(r, [403, 404]);
    });
  });

  // ------------------------------------------------------------------ commits

  describe("commit validation", () => {
    const badPaths = {
      "parent traversal": "../x",
      "traversal in the middle": "a/../../x",
      absolute: "/abs",
      ".git directory": ".git/config",
      "NUL byte": "a\u0000b.txt",
      "1025 characters": "p".repeat(1025),
      "empty path": "",
    };
    for (const [label, p] of Object.entries(badPaths)) {
      test(`commit with invalid path (${label}) → 400, nothing written`, T, async () => {
        const before = await repoSha(hub, { id: id() });
        const r = await commitRaw(hub, { id: id(), files: [{ path: p, content: "x" }] });
        assertError(r, 400);
        assert.equal(await repoSha(hub, { id: id() }), before, "repo sha changed after a rejected commit");
      });
    }

    test("commit with one good and one bad path is rejected as a whole", T, async () => {
      const before = await repoSha(hub, { id: id() });
      const r = await commitRaw(hub, {
        id: id(),
        files: [
          { path: "good-file.txt", content: "good" },
          { path: "../evil", content: "evil" },
        ],
      });
      assertError(r, 400);
      assert.equal(await repoSha(hub, { id: id() }), before);
      const g = await hub.api("HEAD", `/admin/${name}/resolve/main/good-file.txt`, { token: hub.token });
      assert.equal(g.status, 404);
    });

    const malformed = {
      "not JSON": "this is not json\n",
      "truncated line": '{"key":"header","value":{"summary":"x"}}\n{"key":"file","value":{"path":"a.txt","cont',
      "no header line": '{"key":"file","value":{"path":"a.txt","content":"eA==","encoding":"base64"}}\n',
      "file without path": '{"key":"header","value":{"summary":"x"}}\n{"key":"file","value":{"content":"eA==","encoding":"base64"}}\n',
      "JSON array instead of object": '[1,2,3]\n',
      "empty body": "",
    };
    for (const [label, body] of Object.entries(malformed)) {
      test(`malformed NDJSON (${label}) → 400`, T, async () => {
        const before = await repoSha(hub, { id: id() });
        const r = await hub.api("POST", `/api/models/${id()}/commit/main`, {
          token: hub.token,
          body,
          headers: { "Content-Type": "application/x-ndjson" },
        });
        assertError(r, 400);
        assert.equal(await repoSha(hub, { id: id() }), before);
      });
    }

    test("lfsFile whose object was never uploaded → 4xx, nothing committed", T, async () => {
      const before = await repoSha(hub, { id: id() });
      const ghost = randomBytes(1000);
      const r = await commitRaw(hub, {
        id: id(),
        lfsFiles: [{ path: "ghost.bin", oid: sha256(ghost), size: ghost.length }],
      });
      assertError(r, is4xx);
      assert.equal(await repoSha(hub, { id: id() }), before);
    });

    test("lfsFile with the wrong size for a stored object → 4xx", T, async () => {
      const before = await repoSha(hub, { id: id() });
      const r = await commitRaw(hub, {
        id: id(),
        lfsFiles: [{ path: "wrong-size.bin", oid: lfsOid, size: lfsData.length + 1 }],
      });
      assertError(r, is4xx);
      assert.equal(await repoSha(hub, { id: id() }), before);
    });

    test("stale parentCommit → 409 (4xx), nothing written", T, async () => {
      const s1 = (await commit(hub, { id: id(), summary: "c1", files: [{ path: "pc/one.txt", content: "1" }] })).commitOid;
      const s2 = (await commit(hub, { id: id(), summary: "c2", files: [{ path: "pc/two.txt", content: "2" }] })).commitOid;
      assert.notEqual(s1, s2);
      const r = await commitRaw(hub, {
        id: id(),
        parentCommit: s1,
        files: [{ path: "pc/stale.txt", content: "stale" }],
      });
      assertError(r, is4xx);
      if (r.status !== 409) console.log(`# note: stale parentCommit answered ${r.status}, 409 preferred`);
      assert.equal(await repoSha(hub, { id: id() }), s2);
      const g = await hub.api("HEAD", `/admin/${name}/resolve/main/pc/stale.txt`, { token: hub.token });
      assert.equal(g.status, 404);
      // parentCommit equal to the head is accepted
      const ok = await commitRaw(hub, { id: id(), parentCommit: s2, files: [{ path: "pc/fresh.txt", content: "ok" }] });
      assert.equal(ok.status, 200, ok.text);
    });

    test("commit to an unknown branch → 404 RevisionNotFound", T, async () => {
      const r = await commitRaw(hub, { id: id(), revision: "no-such-branch", files: [{ path: "x.txt", content: "x" }] });
      assertError(r, 404, "RevisionNotFound");
    });
  });

  // ------------------------------------------------------------------ LFS transfer

  describe("LFS uploads", () => {
    async function uploadAction(data) {
      const b = await lfsBatch(hub, { id: id(), objects: [{ oid: sha256(data), size: data.length }] });
      assert.equal(b.status, 200, b.text);
      assert.match(b.headers.get("content-type") ?? "", /application\/vnd\.git-lfs\+json|application\/json/);
      const o = b.json.objects[0];
      assert.equal(o.oid, sha256(data));
      assert.ok(o.actions?.upload?.href, `upload action expected: ${b.text}`);
      assert.notEqual(b.json.transfer, "xet");
      return o.actions.upload;
    }
    async function stillNeedsUpload(data) {
      const b = await lfsBatch(hub, { id: id(), objects: [{ oid: sha256(data), size: data.length }] });
      assert.equal(b.status, 200, b.text);
      assert.ok(b.json.objects[0].actions?.upload, `object ${sha256(data)} should still need an upload: ${b.text}`);
      assert.equal(existsSync(lfsObjectPath(hub.dataDir, sha256(data))), false, "object file exists on disk");
    }

    test("batch for an object already stored has no upload action", T, async () => {
      const b = await lfsBatch(hub, { id: id(), objects: [{ oid: lfsOid, size: lfsData.length }] });
      assert.equal(b.status, 200, b.text);
      assert.equal(b.json.objects[0].actions?.upload, undefined);
    });

    test("basic PUT with content that does not match the SHA-256 → 4xx, object absent", T, async () => {
      const data = randomBytes(4096);
      const up = await uploadAction(data);
      const wrong = randomBytes(4096);
      const r = await hub.api("PUT", up.href, { body: wrong, headers: { ...(up.header ?? {}) } });
      assert.ok(is4xx(r.status), `PUT of wrong content → ${r.status} ${r.text}`);
      await stillNeedsUpload(data);
      const c = await commitRaw(hub, { id: id(), lfsFiles: [{ path: "bad-sha.bin", oid: sha256(data), size: data.length }] });
      assert.ok(is4xx(c.status), `commit referencing the rejected object → ${c.status}`);
    });

    test("basic PUT with fewer bytes than declared in the batch → 4xx, object absent", T, async () => {
      const data = randomBytes(4096);
      const up = await uploadAction(data);
      const r = await hub.api("PUT", up.href, { body: data.subarray(0, 4000), headers: { ...(up.header ?? {}) } });
      assert.ok(is4xx(r.status), `PUT of short content → ${r.status} ${r.text}`);
      await stillNeedsUpload(data);
    });

    test("truncated upload (connection closed mid-body) → object absent", T, async () => {
      const data = randomBytes(1024 * 1024);
      const up = await uploadAction(data);
      const u = new URL(up.href);
      const extra = Object.entries(up.header ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("");
      const res = await rawHttp(u.origin, {
        head:
          `PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Length: ${data.length}\r\n${extra}\r\n`,
        body: [data.subarray(0, data.length / 2)],
        endAfterWrite: true,
        timeoutMs: 10_000,
      });
      assert.ok(res.status === null || res.status >= 400, `truncated PUT must not succeed: ${res.raw.slice(0, 200)}`);
      // The server closed the connection: it has seen the EOF and is done with the upload.
      assert.equal(res.timedOut, false, "the server noticed the truncated body and closed");
      await stillNeedsUpload(data);
    });

    test("a correct PUT after a failed one succeeds (temp files do not block)", T, async () => {
      const data = randomBytes(8192);
      const up = await uploadAction(data);
      const bad = await hub.api("PUT", up.href, { body: randomBytes(8192), headers: { ...(up.header ?? {}) } });
      assert.ok(is4xx(bad.status));
      await lfsUpload(hub, { id: id(), data });
      const b = await lfsBatch(hub, { id: id(), objects: [{ oid: sha256(data), size: data.length }] });
      assert.equal(b.json.objects[0].actions?.upload, undefined);
    });
  });

  // ------------------------------------------------------------------ limits

  describe("request limits", () => {
    test("100 KB request header → 431", T, async () => {
      const res = await rawHttp(hub.endpoint, {
        head: `GET /api/whoami-v2 HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nX-Big: ${"a".repeat(100 * 1024)}\r\n\r\n`,
        endAfterWrite: false,
        untilHeaders: true,
        timeoutMs: 10_000,
      });
      assert.equal(res.status, 431, `got ${res.status ?? "no response"} ${res.error?.code ?? ""} ${res.raw.slice(0, 200)}`);
    });

    test("huge declared body on a buffered JSON route → 413 without reading it", T, async () => {
      // 10 GiB declared, a few bytes sent: the server must refuse from Content-Length alone.
      const res = await rawHttp(hub.endpoint, {
        head:
          `POST /api/repos/create HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nAuthorization: Bearer ${hub.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n`,
        body: ['{"name":"'],
        endAfterWrite: false,
        untilHeaders: true,
        timeoutMs: 10_000,
      });
      assert.equal(res.status, 413, `got ${res.status ?? "no response"} ${res.timedOut ? "(timed out)" : ""} ${res.raw.slice(0, 200)}`);
    });

    test("the server still serves requests after the limit tests", T, async () => {
      const r = await hub.api("GET", "/api/whoami-v2", { token: hub.token });
      assert.equal(r.status, 200);
    });
  });

  // ------------------------------------------------------------------ auth

  describe("authentication and authorization", () => {
    test("no token on write routes → 401", T, async () => {
      assertError(await createRepo(hub, { name: uniqueName("x"), token: null }), 401);
      const before = await repoSha(hub, { id: id() });
      assertError(await commitRaw(hub, { id: id(), token: null, files: [{ path: "anon.txt", content: "x" }] }), 401);
      const b = await lfsBatch(hub, { id: id(), token: null, objects: [{ oid: sha256(Buffer.from("z")), size: 1 }] });
      assert.equal(b.status, 401, b.text);
      assertError(
        await hub.api("DELETE", "/api/repos/delete", { json: { name, organization: "admin", type: "model" } }),
        401,
      );
      assertError(await hub.api("POST", `/api/models/${id()}/branch/anon`, { json: {} }), 401);
      assert.equal(await repoSha(hub, { id: id() }), before);
    });

    test("whoami without a token → 401", T, async () => {
      assertError(await hub.api("GET", "/api/whoami-v2"), 401);
    });

    test("invalid token → 401 (reads and writes)", T, async () => {
      const bogus = "hf_" + "x".repeat(34);
      assertError(await hub.api("GET", "/api/whoami-v2", { token: bogus }), 401);
      assertError(await createRepo(hub, { name: uniqueName("x"), token: bogus }), 401);
      assertError(await commitRaw(hub, { id: id(), token: bogus, files: [{ path: "bogus.txt", content: "x" }] }), 401);
      // also without the hf_ prefix and with a malformed header
      assertError(await hub.api("GET", "/api/whoami-v2", { token: "not-a-token" }), 401);
      assertError(await hub.api("GET", "/api/whoami-v2", { headers: { Authorization: "Basic Zm9vOmJhcg==" } }), 401);
    });

    test("read-only token → reads work, writes 403", T, async () => {
      const readTok = await hub.admin(["token", "create", "admin", "--role", "read"]);
      assert.match(readTok, /^hf_\S+$/, `token create should print only the token, got ${JSON.stringify(readTok)}`);
      const me = await hub.api("GET", "/api/whoami-v2", { token: readTok });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.auth?.accessToken?.role, "read");
      assert.equal((await hub.api("GET", `/api/models/${id()}`, { token: readTok })).status, 200);

      const before = await repoSha(hub, { id: id() });
      assertError(await createRepo(hub, { name: uniqueName("ro"), token: readTok }), 403);
      assertError(await commitRaw(hub, { id: id(), token: readTok, files: [{ path: "ro.txt", content: "x" }] }), 403);
      const b = await lfsBatch(hub, { id: id(), token: readTok, objects: [{ oid: sha256(Buffer.from("ro")), size: 2 }] });
      assert.equal(b.status, 403, b.text);
      assertError(await hub.api("POST", `/api/models/${id()}/branch/ro`, { token: readTok, json: {} }), 403);
      assertError(
        await hub.api("DELETE", "/api/repos/delete", { token: readTok, json: { name, organization: "admin", type: "model" } }),
        403,
      );
      assert.equal(await repoSha(hub, { id: id() }), before);
    });

    describe("another user's repos", () => {
      let bob, bobTok, carolTok, privName, pubName;
      before(async () => {
        bob = uniqueName("bob");
        bobTok = await hub.createUser(bob);
        carolTok = await hub.createUser(uniqueName("carol"));
        privName = uniqueName("secret");
        pubName = uniqueName("open");
        assert.equal((await createRepo(hub, { name: privName, visibility: "private", token: bobTok })).status, 200);
        assert.equal((await createRepo(hub, { name: pubName, token: bobTok })).status, 200);
        await commit(hub, { id: `${bob}/${privName}`, token: bobTok, files: [{ path: "secret.txt", content: "s3cr3t" }] });
        await commit(hub, { id: `${bob}/${pubName}`, token: bobTok, files: [{ path: "open.txt", content: "open" }] });
      });

      test("owner sees the private repo (control)", T, async () => {
        const r = await hub.api("GET", `/api/models/${bob}/${privName}`, { token: bobTok });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.private, true);
        const l = await hub.api("GET", `/api/models?author=${bob}`, { token: bobTok });
        assert.equal(l.status, 200);
        assert.ok(l.json.some((m) => m.id === `${bob}/${privName}`), "owner lists own private repo");
      });

      const privateRoutes = (b, n) => [
        ["GET", `/api/models/${b}/${n}`],
        ["GET", `/api/models/${b}/${n}/revision/main`],
        ["GET", `/${b}/${n}/resolve/main/secret.txt`],
        ["HEAD", `/${b}/${n}/resolve/main/secret.txt`],
        ["GET", `/${b}/${n}/raw/main/secret.txt`],
        ["GET", `/api/models/${b}/${n}/tree/main`],
        ["GET", `/api/models/${b}/${n}/refs`],
        ["GET", `/api/models/${b}/${n}/commits/main`],
      ];

      for (const who of ["other user", "anonymous"]) {
        test(`private repo is invisible to ${who}: 404 RepoNotFound`, T, async () => {
          const token = who === "anonymous" ? undefined : carolTok;
          for (const [method, p] of privateRoutes(bob, privName)) {
            const r = await hub.api(method, p, { token });
            // anonymous may get 401 (as the real Hub does), but always with RepoNotFound
            assertError(r, who === "anonymous" ? [401, 404] : 404, "RepoNotFound", { body: method !== "HEAD" });
            assert.ok(!r.text.includes("s3cr3t"));
          }
          const pi = await hub.api("POST", `/api/models/${bob}/${privName}/paths-info/main`, {
            token,
            json: { paths: ["secret.txt"] },
          });
          assertError(pi, who === "anonymous" ? [401, 404] : 404, "RepoNotFound");
          for (const q of [`author=${bob}`, `search=${privName}`, "limit=1000"]) {
            const l = await hub.api("GET", `/api/models?${q}`, { token });
            assert.equal(l.status, 200, l.text);
            assert.ok(Array.isArray(l.json));
            assert.ok(!l.json.some((m) => m.id === `${bob}/${privName}`), `private repo listed for ${who} (${q})`);
          }
        });
      }

      test("writing to another user's private repo → 404 RepoNotFound (existence not leaked)", T, async () => {
        const r = await commitRaw(hub, { id: `${bob}/${privName}`, token: carolTok, files: [{ path: "x.txt", content: "x" }] });
        assertError(r, 404, "RepoNotFound");
      });

      test("writing to another user's public repo → 403, nothing written", T, async () => {
        const before = await repoSha(hub, { id: `${bob}/${pubName}`, token: carolTok });
        const r = await commitRaw(hub, { id: `${bob}/${pubName}`, token: carolTok, files: [{ path: "x.txt", content: "x" }] });
        assertError(r, 403);
        const d = await hub.api("DELETE", "/api/repos/delete", { token: carolTok, json: { name: pubName, organization: bob, type: "model" } });
        assertError(d, 403);
        assert.equal(await repoSha(hub, { id: `${bob}/${pubName}`, token: carolTok }), before);
      });
    });
  });

  // ------------------------------------------------------------------ not found

  describe("not-found errors", () => {
    test("unknown repo → 404 RepoNotFound", T, async () => {
      const ghost = `admin/${uniqueName("ghost")}`;
      for (const [m, p] of [
        ["GET", `/api/models/${ghost}`],
        ["GET", `/api/datasets/${ghost}/revision/main`],
        ["GET", `/${ghost}/resolve/main/x.txt`],
        ["HEAD", `/spaces/${ghost}/resolve/main/x.txt`],
        ["GET", `/api/models/${ghost}/tree/main`],
      ]) {
        assertError(await hub.api(m, p, { token: hub.token }), 404, "RepoNotFound", { body: m !== "HEAD" });
      }
      assertError(
        await hub.api("DELETE", "/api/repos/delete", { token: hub.token, json: { name: ghost.split("/")[1], organization: "admin", type: "model" } }),
        404,
        "RepoNotFound",
      );
    });

    test("unknown revision → 404 RevisionNotFound", T, async () => {
      for (const [m, p, o] of [
        ["GET", `/api/models/${id()}/revision/nope`],
        ["GET", `/api/models/${id()}/revision/${"0".repeat(40)}`],
        ["GET", `/admin/${name}/resolve/nope/hello.txt`],
        ["HEAD", `/admin/${name}/resolve/nope/hello.txt`],
        ["GET", `/api/models/${id()}/tree/nope`],
        ["GET", `/api/models/${id()}/commits/nope`],
        ["POST", `/api/models/${id()}/paths-info/nope`, { json: { paths: ["hello.txt"] } }],
      ]) {
        assertError(await hub.api(m, p, { token: hub.token, ...(o ?? {}) }), 404, "RevisionNotFound", { body: m !== "HEAD" });
      }
    });

    test("missing file → 404 EntryNotFound with X-Repo-Commit", T, async () => {
      const sha = await repoSha(hub, { id: id() });
      for (const m of ["GET", "HEAD"]) {
        for (const kind of ["resolve", "raw"]) {
          const r = await hub.api(m, `/admin/${name}/${kind}/main/no/such/file.txt`, { token: hub.token });
          assertError(r, 404, "EntryNotFound", { body: m !== "HEAD" });
          assert.equal(r.headers.get("x-repo-commit"), sha, `X-Repo-Commit on ${m} ${kind}`);
        }
      }
      const t = await hub.api("GET", `/api/models/${id()}/tree/main/no-such-dir`, { token: hub.token });
      assertError(t, 404, "EntryNotFound");
    });

    test("resolve of an existing file carries X-Repo-Commit, ETag and size", T, async () => {
      const sha = await repoSha(hub, { id: id() });
      const r = await hub.api("HEAD", `/admin/${name}/resolve/main/hello.txt`, { token: hub.token });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("x-repo-commit"), sha);
      assert.ok(r.headers.get("etag"));
      assert.equal(r.headers.get("content-length"), String(hello.length));
      const l = await hub.api("HEAD", `/admin/${name}/resolve/main/weights.bin`, { token: hub.token, redirect: "manual" });
      assert.ok([200, 302, 307].includes(l.status), `LFS HEAD → ${l.status}`);
      assert.equal(l.headers.get("x-repo-commit"), sha);
      const etag = (l.headers.get("x-linked-etag") ?? l.headers.get("etag") ?? "").replace(/^W\//, "").replace(/"/g, "");
      assert.equal(etag, lfsOid);
      assert.equal(l.headers.get("x-linked-size") ?? l.headers.get("content-length"), String(lfsData.length));
    });
  });

  // ------------------------------------------------------------------ ranges

  describe("Range requests on resolve", () => {
    const cases = [
      ["bytes=0-4", 0, 4],
      ["bytes=5-", 5, 19],
      ["bytes=-3", 17, 19],
      ["bytes=15-100", 15, 19],
      ["bytes=0-0", 0, 0],
    ];
    for (const [range, from, to] of cases) {
      test(`regular file, ${range} → 206`, T, async () => {
        const r = await hub.api("GET", `/admin/${name}/resolve/main/hello.txt`, { token: hub.token, headers: { Range: range } });
        assert.equal(r.status, 206, r.text);
        assert.equal(r.headers.get("content-range"), `bytes ${from}-${to}/${hello.length}`);
        assert.deepEqual(r.bytes, hello.subarray(from, to + 1));
        assert.equal(r.headers.get("content-length"), String(to - from + 1));
      });
    }

    for (const range of ["bytes=20-", "bytes=100-200"]) {
      test(`regular file, ${range} → 416`, T, async () => {
        const r = await hub.api("GET", `/admin/${name}/resolve/main/hello.txt`, { token: hub.token, headers: { Range: range } });
        assert.equal(r.status, 416, r.text);
        assert.equal(r.headers.get("content-range"), `bytes */${hello.length}`);
      });
    }

    test("LFS file ranges (following any redirect) → 206 with the right bytes", T, async () => {
      const n = lfsData.length;
      for (const [range, from, to] of [
        ["bytes=0-0", 0, 0],
        ["bytes=1000-1999", 1000, 1999],
        [`bytes=${n - 10}-`, n - 10, n - 1],
        ["bytes=-10", n - 10, n - 1],
      ]) {
        const r = await hub.api("GET", `/admin/${name}/resolve/main/weights.bin`, { token: hub.token, headers: { Range: range } });
        assert.equal(r.status, 206, `${range}: ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get("content-range"), `bytes ${from}-${to}/${n}`);
        assert.deepEqual(r.bytes, lfsData.subarray(from, to + 1));
      }
      const bad = await hub.api("GET", `/admin/${name}/resolve/main/weights.bin`, { token: hub.token, headers: { Range: `bytes=${n}-` } });
      assert.equal(bad.status, 416);
      const full = await hub.api("GET", `/admin/${name}/resolve/main/weights.bin`, { token: hub.token });
      assert.equal(full.status, 200);
      assert.equal(sha256(full.bytes), lfsOid);
    });
  });
});

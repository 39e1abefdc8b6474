// A Streamlit Space (issue #5): requirements come from the administrator's wheelhouse, the app is
// launched as `python -m streamlit run app.py --server.port 7860 --server.address 0.0.0.0`, and
// its secrets are in `~/.streamlit/secrets.toml` as Streamlit's secrets management expects —
// made in the sandbox's memory, never written to the host's disk. Streamlit itself cannot be
// installed here (no package index), so the wheelhouse holds a small `streamlit` launcher package
// that runs the app the way `streamlit run` does; what is checked is the hub's side.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { startHub, uniqueName, removeTempDir } from "./harness.mjs";
import { HAVE_BWRAP, RUNTIME_ARGS, createSpace, spaceProcesses, waitStage } from "./runtime_lib.mjs";

const skip = !HAVE_BWRAP && "no bwrap";
const SECRET = 'tok "quoted" \\ and more_8812';
let hub;
let wheelhouse;
const name = uniqueName("lit");

// Builds streamlit-0.0.1-py3-none-any.whl: `python -m streamlit run APP [--flags]` runs APP with
// the flags kept in sys.argv, like Streamlit's CLI.
function buildLauncherWheel(dir) {
  const script = `
import sys, zipfile
main = '''import runpy, sys
args = sys.argv[1:]
assert args[0] == "run", args
sys.argv = args[1:]
runpy.run_path(args[1], run_name="__main__")
'''
dist = "streamlit-0.0.1.dist-info"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("streamlit/__init__.py", "")
    z.writestr("streamlit/__main__.py", main)
    z.writestr(dist + "/METADATA", "Metadata-Version: 2.1\\nName: streamlit\\nVersion: 0.0.1\\n")
    z.writestr(dist + "/WHEEL", "Wheel-Version: 1.0\\nGenerator: spacehub-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(dist + "/RECORD", "")
`;
  execFileSync("python3", ["-c", script, path.join(dir, "streamlit-0.0.1-py3-none-any.whl")]);
}

const APP = `
import http.server, json, os, sys, tomllib
home = os.path.expanduser("~/.streamlit/secrets.toml")
with open(home, "rb") as f:
    secrets = tomllib.load(f)
out = {"secrets": secrets, "argv": sys.argv, "writable": os.access(home, os.W_OK)}
with open("/data/streamlit.json", "w") as f:
    json.dump(out, f)
port = sys.argv[sys.argv.index("--server.port") + 1]
http.server.ThreadingHTTPServer(("0.0.0.0", int(port)), http.server.SimpleHTTPRequestHandler).serve_forever()
`;

function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

before(async () => {
  if (!HAVE_BWRAP) return;
  wheelhouse = mkdtempSync(path.join(os.tmpdir(), "spacehub-wheels-"));
  buildLauncherWheel(wheelhouse);
  // Builds run as the Space's own uid: the operator's wheelhouse must be readable by others.
  chmodSync(wheelhouse, 0o755);
  hub = await startHub({ args: [...RUNTIME_ARGS, "--space-wheelhouse", wheelhouse] });
  await createSpace(
    hub,
    name,
    [
      { path: "README.md", content: "---\nsdk: streamlit\napp_file: app.py\n---\n" },
      { path: "requirements.txt", content: "streamlit\n" },
      { path: "app.py", content: APP },
    ],
    { sdk: "streamlit", storageTier: "small", secrets: [{ key: "API_TOKEN", value: SECRET }] },
  );
});

after(async () => {
  if (!hub) return;
  await hub.stop({ keepData: true });
  // The secret is in the sandbox's memory only: no file in the hub's data dir holds it (but the
  // app's own /data, where this test's app wrote what it read).
  for (const f of filesUnder(hub.dataDir)) {
    if (/\/spaces\/[^/]+\/data\//.test(f) || statSync(f).size > 1 << 20) continue;
    assert.ok(!readFileSync(f, "latin1").includes("and more_8812"), `secret value on disk in ${f}`);
  }
  removeTempDir(hub.dataDir);
  removeTempDir(wheelhouse);
  assert.deepEqual(spaceProcesses(name), []);
});

test("a Streamlit Space installs from the wheelhouse, runs `streamlit run`, and finds secrets.toml", { skip }, async () => {
  const rt = await waitStage(hub, name, ["RUNNING"], 60_000);
  assert.equal(rt.sdk, "streamlit");
  const uid = readdirSync(path.join(hub.dataDir, "spaces")).find((u) =>
    existsSync(path.join(hub.dataDir, "spaces", u, "data", "streamlit.json")),
  );
  assert.ok(uid, "the app wrote /data/streamlit.json");
  const out = JSON.parse(readFileSync(path.join(hub.dataDir, "spaces", uid, "data", "streamlit.json"), "utf8"));
  assert.deepEqual(out.secrets, { API_TOKEN: SECRET });
  assert.equal(out.writable, false);
  assert.deepEqual(out.argv, ["app.py", "--server.port", "7860", "--server.address", "0.0.0.0"]);
});

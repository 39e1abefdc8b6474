// Local podman images for the tests that run containers (Docker Spaces, Docker-image jobs). No
// registry is reachable here, so images are made from the host's own files: a rootfs holding the
// host's python3 (binary, shared libraries, standard library without tests and GUI parts) and dash
// as /bin/sh, plus on request more host binaries (with their shared libraries) and files, imported
// with `podman import` into podman's default store and cached there across runs by their tag.
// The hub never pulls: its Spaces and jobs see the default store read-only, as the operator's
// local images. Nothing here removes an image (other test files use the same cached ones).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { execFileP } from "./harness.mjs";

export const PODMAN = ["/usr/bin/podman", "/usr/local/bin/podman"].find((p) => existsSync(p));
// What the hub itself passes to `podman run` on these machines.
export const PODMAN_FLAGS = ["--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"];
// python3 and sh: enough for Docker Spaces' Dockerfiles and most jobs.
export const BASE = "localhost/spacehub-test/pybase:py-stdlib-1";
// Marks the images made here, so that an image of the same name made by someone else (a real
// uv image an operator imported) is told apart and never replaced.
export const MADE_LABEL = "io.spacehub.test-image";

export const podman = (args, opts = {}) => execFileP(PODMAN, args, { timeout: 120_000, ...opts });

const readlinkF = (p) => execFileSync("readlink", ["-f", p], { encoding: "utf8" }).trim();

// Copies `host` (a binary) to usr/bin/<name> of the rootfs, and every shared library ldd lists for it.
function addBinary(stage, host, name = path.basename(host)) {
  const real = readlinkF(host);
  const dest = path.join(stage, "usr/bin", name);
  if (!existsSync(dest)) copyFileSync(real, dest);
  const ldd = execFileSync("ldd", [real], { encoding: "utf8" });
  for (const m of ldd.matchAll(/(\/\S+\.so[^\s]*) \(/g)) {
    const lib = path.join(stage, m[1].startsWith("/lib64/") ? "usr/lib64" : "usr/lib/x86_64-linux-gnu", path.basename(m[1]));
    mkdirSync(path.dirname(lib), { recursive: true });
    if (!existsSync(lib)) copyFileSync(readlinkF(m[1]), lib);
  }
}

// The host path of a command (`base64` → /usr/bin/base64).
function hostBinary(name) {
  if (name.startsWith("/")) return name;
  const found = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"].map((d) => path.join(d, name)).find((p) => existsSync(p));
  if (!found) throw new Error(`no ${name} on this host to put in an image`);
  return found;
}

/**
 * Makes the image `tag` in podman's default store unless it is there already: python3 with its
 * standard library and sh (dash), plus `binaries` (host commands, e.g. ["bash", "base64"], at
 * /usr/bin/<name> with their shared libraries) and `files` ({ "/usr/local/bin/x": { content, mode } });
 * `stickyTmp`: /tmp writable by everyone (mode 1777, as in Debian images) rather than root's only.
 * ~20 MB. Returns false when an image of that name exists that was not made here (it is left alone).
 */
export async function makeImage(tag, { binaries = [], files = {}, stickyTmp = false } = {}) {
  if ((await podman(["image", "exists", tag])).code === 0) {
    const label = await podman(["image", "inspect", "--format", `{{index .Labels "${MADE_LABEL}"}}`, tag]);
    return label.code === 0 && label.stdout.trim() === "1";
  }
  const stage = mkdtempSync(path.join(os.tmpdir(), "spacehub-rootfs-"));
  try {
    const python = readlinkF("/usr/bin/python3");
    const stdlib = execFileSync(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: "utf8" }).trim();
    for (const d of ["usr/bin", "usr/lib64", "etc", "tmp", "proc", "dev", "sys", "run", "app", "data", "home/user"]) mkdirSync(path.join(stage, d), { recursive: true });
    if (stickyTmp) chmodSync(path.join(stage, "tmp"), 0o1777);
    for (const [link, target] of [["bin", "usr/bin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], ["sbin", "usr/bin"]]) symlinkSync(target, path.join(stage, link));
    addBinary(stage, python);
    symlinkSync(path.basename(python), path.join(stage, "usr/bin/python3"));
    addBinary(stage, "/bin/dash", "sh");
    for (const b of binaries) addBinary(stage, hostBinary(b));
    mkdirSync(path.join(stage, stdlib), { recursive: true });
    const excludes = ["__pycache__", "test", "tests", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip", "pydoc_data", "distutils", "config-*", "site-packages", "dist-packages", "_test*", "unittest", "sqlite3", "curses", "asyncio"];
    execFileSync("sh", ["-c", `tar -C "$1" -cf - ${excludes.map((e) => `--exclude='${e}'`).join(" ")} . | tar -C "$2" -xf -`, "sh", stdlib, path.join(stage, stdlib)]);
    writeFileSync(path.join(stage, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n");
    writeFileSync(path.join(stage, "etc/group"), "root:x:0:\nuser:x:1000:\n");
    for (const [p, { content, mode = 0o644 }] of Object.entries(files)) {
      const dest = path.join(stage, p);
      mkdirSync(path.dirname(dest), { recursive: true });
      writeFileSync(dest, content);
      chmodSync(dest, mode);
    }
    const tar = path.join(stage, "..", path.basename(stage) + ".tar");
    execFileSync("tar", ["-C", stage, "-cf", tar, "."]);
    const r = await podman(["import", "--change", `LABEL ${MADE_LABEL}=1`, tar, tag]);
    rmSync(tar, { force: true });
    if (r.code !== 0) throw new Error(`podman import: ${r.stderr}`);
    return true;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

// The base image (BASE) the Docker Space tests build FROM.
export async function makeBaseImage() {
  await makeImage(BASE);
}

/**
 * Why containers cannot be tested here, or false: bwrap and podman installed, the base image made
 * and a container run from it. Decided before tests are declared (it is their skip).
 */
export async function podmanSkipReason(haveBwrap) {
  if (!haveBwrap) return "bwrap is not installed";
  if (!PODMAN) return "podman is not installed";
  try {
    await makeBaseImage();
    const probe = await podman(["run", "--rm", ...PODMAN_FLAGS, "--network", "none", BASE, "python3", "-c", "print('ok')"]);
    if (probe.code !== 0 || !probe.stdout.includes("ok")) {
      return `podman cannot run a container here: ${probe.stderr.trim().split("\n").pop()}`;
    }
  } catch (e) {
    return `cannot make a base image with podman here: ${e.message}`;
  }
  return false;
}

// Running the real `git` (and git-lfs) against a test hub: a clean environment of the test's own
// (temporary HOME, no system config, no prompts, a fixed author), credentials in the remote URL,
// and the path of a repo's bare directory in the hub's data dir.
import { execFile } from "node:child_process";
import path from "node:path";

import { TYPES } from "./harness.mjs";

export function gitEnv(home, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Tester",
    GIT_AUTHOR_EMAIL: "tester@example.com",
    GIT_COMMITTER_NAME: "Tester",
    GIT_COMMITTER_EMAIL: "tester@example.com",
    ...extra,
  };
}

/** Runs git; resolves {code, stdout, stderr}. Rejects unless code 0, unless allowFail. */
export function runGit(args, { cwd, home, allowFail = false, env = {} }) {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env: gitEnv(home, env), maxBuffer: 64 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      if (code !== 0 && !allowFail) reject(new Error(`git ${args.join(" ")} → ${code}\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** http://user:TOKEN@127.0.0.1:PORT/<prefix><id><suffix>; no credentials without a token. */
export function remoteUrl(endpoint, id, { type = "model", token, suffix = "" } = {}) {
  const u = new URL(endpoint);
  if (token) {
    u.username = "user";
    u.password = token;
  }
  u.pathname = `/${type === "model" ? "" : `${type}s/`}${id}${suffix}`;
  return u.toString();
}

/** The bare repository of `id` in a hub's data directory. */
export const bareDir = (dataDir, id, type = "model") => path.join(dataDir, "repos", TYPES[type], ...id.split("/")) + ".git";

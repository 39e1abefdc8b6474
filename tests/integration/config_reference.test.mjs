// docs/configuration.md is generated from the binary's own option table (`spacehub
// config-reference`); this keeps the committed reference from drifting from what `serve` accepts.
// To refresh it: build/src/cli/spacehub config-reference > docs/configuration.md
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT, SPACEHUB_BIN } from "./harness.mjs";

test("docs/configuration.md is what the binary registers", () => {
  const generated = execFileSync(SPACEHUB_BIN, ["config-reference"], { encoding: "utf8" });
  const committed = readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
  assert.equal(committed, generated,
    "docs/configuration.md is stale: run `build/src/cli/spacehub config-reference > docs/configuration.md`");
});

test("every option of serve has its environment variable and a row in the reference", () => {
  const help = execFileSync(SPACEHUB_BIN, ["serve", "--help"], { encoding: "utf8" });
  const flags = [...help.matchAll(/^\s+(--[a-z0-9-]+)/gm)].map((m) => m[1]).filter((f) => f !== "--help");
  const reference = readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
  assert.ok(flags.length > 30, `serve --help lists ${flags.length} options`);
  for (const flag of flags) {
    const env = "SPACEHUB_" + flag.slice(2).replaceAll("-", "_").toUpperCase();
    assert.ok(reference.includes(`| \`${flag}\` | \`${env}\` |`), `${flag} (${env}) is in the reference`);
  }
});

test("a bad value names the option and starts nothing", () => {
  let failure;
  try {
    execFileSync(SPACEHUB_BIN, ["serve", "--log-level", "loud", "--port", "0"], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    failure = e;
  }
  assert.ok(failure, "serve refused the value");
  assert.equal(failure.status, 2);
  assert.match(failure.stderr, /--log-level/);
});

test("a number out of range says the bound in words, from the flag or its variable", () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "spacehub-config-"));
  const refusal = (args, env = {}) => {
    try {
      // Should a check ever let the value through, the hub would start: it is stopped, and fails.
      execFileSync(SPACEHUB_BIN, ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, ...args], {
        encoding: "utf8", stdio: "pipe", env: { ...process.env, ...env }, timeout: 20000,
      });
    } catch (e) {
      return e;
    }
    assert.fail(`serve accepted ${JSON.stringify(args)} ${JSON.stringify(env)}`);
  };
  for (const [args, env, said] of [
    [["--xet-shard-checks-per-user", "0"], {}, "--xet-shard-checks-per-user: '0' is not a whole number of at least 1"],
    [["--header-timeout", "1.5"], {}, "--header-timeout: '1.5' is not a whole number of at least 1"],
    [["--space-min-sleep-seconds", "-1"], {}, "--space-min-sleep-seconds: '-1' is not a whole number of at least 0"],
    [[], { SPACEHUB_XET_SHARD_CHECKS: "none" }, "'none' is not a whole number of at least 1"],
  ]) {
    const e = refusal(args, env);
    assert.equal(e.status, 2, e.stderr);
    assert.ok(e.stderr.includes(said), e.stderr);
    assert.ok(e.stderr.length < 300, `a short message: ${e.stderr}`);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

// docs/configuration.md is generated from the binary's own option table (`spacehub
// config-reference`); this keeps the committed reference from drifting from what `serve` accepts.
// To refresh it: build/src/cli/spacehub config-reference > docs/configuration.md
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

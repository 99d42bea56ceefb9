import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

/** Runs a tiny suite that uses itWithService for a service that does not exist. */
function runProbe(requireServices: boolean, file = "test/support/service-probe.check.ts") {
  const env = {
    ...process.env,
    MEMOS_REQUIRE_SERVICES: requireServices ? "1" : "0",
    MEMOS_SERVICE_PROBE: "1",
    MEMOS_SERVICE_PROBE_FILE: file,
  };
  return spawnSync(
    process.execPath,
    [
      join(root, "node_modules/vitest/vitest.mjs"),
      "run",
      file,
      "--config",
      join(root, "test/support/probe.config.ts"),
    ],
    {
      cwd: root,
      env,
      encoding: "utf8",
    },
  );
}

describe("itWithService", () => {
  it("skips with a visible reason locally, and fails when services are required (CI)", () => {
    const local = runProbe(false);
    expect(local.status).toBe(0);
    expect(local.stdout + local.stderr).toMatch(/skipped/);
    const ci = runProbe(true);
    expect(ci.status).not.toBe(0);
    expect(ci.stdout + ci.stderr).toContain("MEMOS_REQUIRE_SERVICES=1");
  }, 60_000);
});

describe("itWithOptionalService / describeWithOptionalService", () => {
  it("skip with a reason naming the variable even when services are required, and never run the body", () => {
    for (const required of [false, true]) {
      const run = runProbe(required, "test/support/optional-service-probe.check.ts");
      const out = run.stdout + run.stderr;
      expect(run.status, out).toBe(0);
      expect(out).toMatch(/2 skipped/);
      expect(out).not.toContain("must not");
    }
  }, 60_000);
});

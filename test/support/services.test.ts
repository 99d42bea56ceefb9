import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

/** Runs a tiny suite that uses itWithService for a service that does not exist. */
function runProbe(requireServices: boolean) {
  const env = {
    ...process.env,
    MEMOS_REQUIRE_SERVICES: requireServices ? "1" : "0",
    MEMOS_SERVICE_PROBE: "1",
  };
  return spawnSync(
    process.execPath,
    [
      join(root, "node_modules/vitest/vitest.mjs"),
      "run",
      "test/support/service-probe.check.ts",
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

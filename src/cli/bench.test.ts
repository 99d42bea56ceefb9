import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { memos } from "./test-helpers.js";

/** The bench commands print to the process's stdout, so they run as the real binary here. */
function memosBin(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "src/cli/bin.ts"), ...args], {
    encoding: "utf8",
    cwd: root,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const root = new URL("../../", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "memos-bench-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("memos bench (mounted in the main CLI)", () => {
  it("scale: measures add and search and writes its report", async () => {
    const r = memosBin(
      "bench",
      "scale",
      "--n",
      "300",
      "--queries",
      "5",
      "--batch",
      "100",
      "--out",
      out,
      "--json",
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      rows: { n: number; add_items_per_s: number; search_p95_ms: number; disk_mb: number }[];
    };
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]?.n).toBe(300);
    expect(report.rows[0]?.add_items_per_s).toBeGreaterThan(0);
    expect(report.rows[0]?.disk_mb).toBeGreaterThan(0);
    expect(readdirSync(out).some((f) => f.startsWith("scale-") && f.endsWith(".md"))).toBe(true);
  });

  it("scale: a bad size is bad input (exit 2)", async () => {
    const r = await memos("bench", "scale", "--n", "ten");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("hint:");
  });

  it("locomo: runs on a small conversation file with a baseline", async () => {
    const data = join(root, "bench/locomo/fixtures/two-sessions.json");
    const r = memosBin(
      "bench",
      "locomo",
      "--data",
      data,
      "--systems",
      "bm25",
      "--out",
      out,
      "--json",
      "--no-progress",
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      retrieval: { system: string; category: string; recall: number }[];
    };
    expect(report.retrieval.some((row) => row.system === "bm25" && row.category === "all")).toBe(true);
  });
});

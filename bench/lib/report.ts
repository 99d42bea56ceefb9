/**
 * Everything a benchmark report needs besides its numbers: where it ran (machine, commit,
 * data hash), and the writers for Markdown tables, JSON and vega-lite SVG charts.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as vega from "vega";
import * as vegaLite from "vega-lite";

/** The machine a report was produced on. */
export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  node: string;
  platform: string;
}

/** Cores, memory and Node version: enough to judge whether two timings are comparable. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * The git commit of `cwd`, with "-dirty" appended when tracked files differ from it (the
 * numbers then come from code no commit holds). "unknown" outside a git checkout.
 */
export function gitCommit(cwd: string): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: "pipe" }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd,
      encoding: "utf8",
      stdio: "pipe",
    }).trim();
    return status === "" ? sha : `${sha}-dirty`;
  } catch {
    return "unknown";
  }
}

/** Hex SHA-256 of a file's bytes, so a report names exactly the data it measured. */
export async function sha256File(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** A GitHub-flavoured Markdown table. Cells are escaped for `|`; numbers are printed as given. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, "\\|");
  const lines = [
    `| ${headers.map(cell).join(" | ")} |`,
    `|${headers.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** Fixed-point formatting that prints NaN as "–" (no data) rather than "NaN". */
export function fmt(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

/** Renders a vega-lite spec to a standalone SVG string, headless (no browser, no canvas). */
export async function renderVegaLiteSvg(spec: vegaLite.TopLevelSpec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** File-name-safe UTC timestamp, e.g. 2025-01-31T12-00-00Z: sorts in time order. */
export function fileTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/:/g, "-");
}

/**
 * Writes `<dir>/<name>-<timestamp>.<ext>` for each given extension and copies each to
 * `<dir>/<name>-latest.<ext>`. Returns the written (timestamped) paths.
 */
export async function writeReportFiles(
  dir: string,
  name: string,
  files: Record<string, string>,
  timestamp = fileTimestamp(),
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [ext, content] of Object.entries(files)) {
    const target = path.join(dir, `${name}-${timestamp}.${ext}`);
    await writeFile(target, content);
    // A copy, not a symlink: reports/ is browsed on GitHub and in editors that show links badly.
    await copyFile(target, path.join(dir, `${name}-latest.${ext}`));
    written.push(target);
  }
  return written;
}

/**
 * `memos bench compare --with mem0`: mounted by the main CLI through registerCompareCommand, and
 * runnable on its own: `npx tsx bench/compare/cli.ts --with mem0 --conv conv-26`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { addReportOptions, choiceListFlag, intFlag, listFlag, runStandalone } from "../lib/flags.js";
import { DEFAULT_DATA_PATH, REPO_ROOT } from "../locomo/run.js";
import { writeCompareReports } from "./render.js";
import {
  COMPARE_SYSTEM_NAMES,
  COMPARE_WITH,
  type CompareWith,
  compareReproduceCommand,
  runCompareBench,
} from "./run.js";

/** Parsed flags of `memos bench compare`. */
export interface CompareCliOptions {
  with: CompareWith;
  data?: string;
  conv?: string[];
  topK: string;
  depth?: string;
  systems?: string;
  out: string;
  json?: boolean;
  progress: boolean;
}

/** Runs the comparison for parsed flags: reports to `--out`, a summary (or the JSON) to stdout. */
export async function compareAction(opts: CompareCliOptions): Promise<void> {
  const systems = choiceListFlag(opts.systems, "--systems", COMPARE_SYSTEM_NAMES);
  const conversations = listFlag(opts.conv);
  const settings = {
    with: opts.with,
    dataPath: path.resolve(opts.data ?? DEFAULT_DATA_PATH),
    ...(conversations.length > 0 ? { conversations } : {}),
    topK: intFlag(opts.topK, "--top-k"),
    ...(opts.depth !== undefined ? { depth: intFlag(opts.depth, "--depth") } : {}),
    ...(systems ? { systems } : {}),
  };
  const report = await runCompareBench({
    ...settings,
    progress: opts.progress && !opts.json,
    command: compareReproduceCommand(settings),
  });
  const files = await writeCompareReports(report, path.resolve(opts.out));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write("evidence recall (all categories) at token budgets:\n");
  for (const system of report.settings.systems) {
    const cells = report.retrieval
      .filter((r) => r.system === system && r.category === "all" && r.budget_tokens !== undefined)
      .map((r) => `@${r.budget_tokens}t ${r.recall.toFixed(3)}`);
    const st = report.systems[system];
    const perf = st
      ? `  | ingest ${st.ingest.items_per_second} items/s, search p50 ${st.latency_ms.search_p50} ms p95 ${st.latency_ms.search_p95} ms`
      : "";
    process.stdout.write(`  ${system.padEnd(11)} ${cells.join("  ")}${perf}\n`);
  }
  if (report.mem0) process.stdout.write(`mem0 network requests attempted: ${report.mem0.network_attempts}\n`);
  process.stdout.write(`reports: ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}\n`);
}

/** Adds the flags and action of the comparison benchmark to `cmd`. */
export function configureCompareCommand(cmd: Command): Command {
  return addReportOptions(cmd, COMPARE_SYSTEM_NAMES, path.join(REPO_ROOT, "reports"))
    .description(
      "LoCoMo retrieval metrics, throughput and latency of memos side by side with another memory (mem0)",
    )
    .addOption(
      new Option("--with <memory>", "the memory to compare with").choices([...COMPARE_WITH]).default("mem0"),
    )
    .option("--data <file>", "LoCoMo JSON file", path.relative(process.cwd(), DEFAULT_DATA_PATH))
    .option("--conv <id...>", "conversation sample_id(s) to run (default all)")
    .option("--top-k <n>", "k of the timed search (latency, context tokens)", "10")
    .option("--depth <n>", "results fetched per question for the metrics (default 200)")
    .action(async (opts: CompareCliOptions) => compareAction(opts));
}

/**
 * Mounts `compare` under the main CLI's `bench` command. The action throws MemosErrors; the main
 * CLI maps them to exit codes (exitCodeFor).
 */
export function registerCompareCommand(benchCommand: Command): Command {
  return configureCompareCommand(benchCommand.command("compare"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runStandalone(configureCompareCommand(new Command("compare")));
}

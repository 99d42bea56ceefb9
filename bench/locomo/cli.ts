/**
 * `memos bench locomo`: mounted by the main CLI through registerLocomoCommand, and runnable on
 * its own: `npx tsx bench/locomo/cli.ts --conv conv-26`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { InvalidInputError } from "../../src/core/errors/index.js";
import { addReportOptions, runStandalone } from "../lib/flags.js";
import { createLlmAnswerer, createLlmJudge } from "../lib/llm-eval.js";
import { addLlmOptions, disposeLlmSetup, type LlmCliFlags, resolveLlmFlags } from "../lib/llm-flags.js";
import { defaultSystemFactory } from "./factory.js";
import { writeLocomoReports } from "./render.js";
import { DEFAULT_DATA_PATH, REPO_ROOT, reproduceCommand, runLocomoBench } from "./run.js";
import { SYSTEM_NAMES, type SystemName } from "./systems.js";

/** Parsed flags of `memos bench locomo`. */
export interface LocomoCliOptions extends LlmCliFlags {
  data?: string;
  conv?: string[];
  mode: "fast" | "fine";
  topK: string;
  depth?: string;
  systems?: string;
  out: string;
  json?: boolean;
  progress: boolean;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidInputError({
      message: `${flag} must be a positive integer, got "${value}"`,
      hint: `e.g. ${flag} 10`,
    });
  }
  return n;
}

function parseSystems(value: string | undefined): SystemName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const n of names) {
    if (!(SYSTEM_NAMES as readonly string[]).includes(n)) {
      throw new InvalidInputError({
        message: `unknown system "${n}" in --systems`,
        hint: `choose from ${SYSTEM_NAMES.join(",")}`,
      });
    }
  }
  return names as SystemName[];
}

/** Runs the benchmark for parsed flags: reports to `--out`, a summary (or the JSON) to stdout. */
export async function locomoAction(opts: LocomoCliOptions): Promise<void> {
  const conversations = (opts.conv ?? [])
    .flatMap((c) => c.split(","))
    .map((c) => c.trim())
    .filter((c) => c !== "");
  const settings = {
    dataPath: path.resolve(opts.data ?? DEFAULT_DATA_PATH),
    conversations,
    mode: opts.mode,
    topK: positiveInt(opts.topK, "--top-k"),
    ...(opts.depth !== undefined ? { depth: positiveInt(opts.depth, "--depth") } : {}),
    ...(opts.systems !== undefined ? { systems: parseSystems(opts.systems) } : {}),
  };
  const llm = await resolveLlmFlags(opts);
  let report: Awaited<ReturnType<typeof runLocomoBench>>;
  try {
    report = await runLocomoBench({
      ...settings,
      createSystem: defaultSystemFactory,
      progress: opts.progress && !opts.json,
      command: [reproduceCommand(settings), ...(llm?.flags ?? [])].join(" "),
      ...(llm
        ? {
            answerer: createLlmAnswerer(llm.answerModel),
            judge: createLlmJudge(llm.judgeModel, { runs: llm.judgeRuns }),
            ...(llm.llmQuestions === undefined ? {} : { llmQuestions: llm.llmQuestions }),
          }
        : {}),
    });
  } finally {
    await disposeLlmSetup(llm);
  }
  const files = await writeLocomoReports(report, path.resolve(opts.out));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const all = report.retrieval.filter((r) => r.category === "all" && r.budget_tokens !== undefined);
  process.stdout.write("evidence recall (all categories) at token budgets:\n");
  for (const system of report.settings.systems) {
    const cells = all
      .filter((r) => r.system === system)
      .map((r) => `@${r.budget_tokens}t ${r.recall.toFixed(3)}`);
    process.stdout.write(`  ${system.padEnd(11)} ${cells.join("  ")}\n`);
  }
  process.stdout.write(`LLM metrics: ${llmSummary(report.llm)}\n`);
  process.stdout.write(`reports: ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}\n`);
}

/** One line on the LLM half: skipped, or judge accuracy (all categories) per system. */
function llmSummary(llm: Awaited<ReturnType<typeof runLocomoBench>>["llm"]): string {
  if (llm.status === "skipped") return `skipped (${llm.reason})`;
  const cells = llm.rows
    .filter((r) => r.category === "all")
    .map(
      (r) =>
        `${r.system} F1 ${r.f1.toFixed(3)}` +
        (r.judge_accuracy === undefined
          ? ""
          : ` judge ${r.judge_accuracy.toFixed(3)} ± ${(r.judge_std ?? 0).toFixed(3)}`),
    );
  return `answerer ${llm.answerer}${llm.judge ? `, judge ${llm.judge} ×${llm.judge_runs}` : ""}: ${cells.join("; ")}`;
}

/** Adds the flags and action of the LoCoMo benchmark to `cmd`. */
export function configureLocomoCommand(cmd: Command): Command {
  return addLlmOptions(addReportOptions(cmd, SYSTEM_NAMES, path.join(REPO_ROOT, "reports")), "questions")
    .description(
      "LoCoMo retrieval benchmark: evidence recall/hit at k and at token budgets, vs BM25 and GloVe baselines",
    )
    .option("--data <file>", "LoCoMo JSON file", path.relative(process.cwd(), DEFAULT_DATA_PATH))
    .option("--conv <id...>", "conversation sample_id(s) to run (default all)")
    .addOption(
      new Option("--mode <mode>", "memory extraction mode").choices(["fast", "fine"]).default("fast"),
    )
    .option("--top-k <n>", "k of the timed search (latency, context tokens)", "10")
    .option("--depth <n>", "results fetched per question for the metrics (default 200)")
    .action(async (opts: LocomoCliOptions) => locomoAction(opts));
}

/**
 * Mounts `locomo` under the main CLI's `bench` command. The action throws MemosErrors; the
 * main CLI maps them to exit codes (exitCodeFor).
 */
export function registerLocomoCommand(benchCommand: Command): Command {
  return configureLocomoCommand(benchCommand.command("locomo"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runStandalone(configureLocomoCommand(new Command("locomo")));
}

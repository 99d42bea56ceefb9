/**
 * `memos bench prefeval`: mounted by the main CLI through registerPrefevalCommand, and runnable
 * on its own: `npx tsx bench/prefeval/cli.ts --limit 5`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { addReportOptions, choiceListFlag, intFlag, listFlag, runStandalone } from "../lib/flags.js";
import { addLlmOptions, disposeLlmSetup, type LlmCliFlags, resolveLlmFlags } from "../lib/llm-flags.js";
import { REPO_ROOT } from "../locomo/run.js";
import { defaultPrefevalFactory } from "./factory.js";
import { createPreferenceAnswerer, createPreferenceJudge } from "./llm-impl.js";
import { writePrefevalReports } from "./render.js";
import {
  DEFAULT_PREFEVAL_DIR,
  defaultDistractorFile,
  prefevalReproduceCommand,
  runPrefevalBench,
} from "./run.js";
import { PREFEVAL_SYSTEM_NAMES } from "./systems.js";

/** Parsed flags of `memos bench prefeval`. */
export interface PrefevalCliOptions extends LlmCliFlags {
  data?: string;
  distractorFile?: string;
  topics?: string[];
  limit?: string;
  distractors?: string;
  seed: string;
  topK: string;
  depth?: string;
  systems?: string;
  out: string;
  json?: boolean;
  progress: boolean;
}

/** Runs the benchmark for parsed flags: reports to `--out`, a summary (or the JSON) to stdout. */
export async function prefevalAction(opts: PrefevalCliOptions): Promise<void> {
  const dataDir = path.resolve(opts.data ?? DEFAULT_PREFEVAL_DIR);
  const topics = listFlag(opts.topics);
  const systems = choiceListFlag(opts.systems, "--systems", PREFEVAL_SYSTEM_NAMES);
  const settings = {
    dataDir,
    distractorFile: path.resolve(opts.distractorFile ?? defaultDistractorFile(dataDir)),
    ...(topics.length > 0 ? { topics } : {}),
    ...(opts.limit !== undefined ? { limit: intFlag(opts.limit, "--limit") } : {}),
    ...(opts.distractors !== undefined ? { distractors: intFlag(opts.distractors, "--distractors", 0) } : {}),
    seed: intFlag(opts.seed, "--seed", 0),
    topK: intFlag(opts.topK, "--top-k"),
    ...(opts.depth !== undefined ? { depth: intFlag(opts.depth, "--depth") } : {}),
    ...(systems ? { systems } : {}),
  };
  const llm = await resolveLlmFlags(opts);
  let report: Awaited<ReturnType<typeof runPrefevalBench>>;
  try {
    report = await runPrefevalBench({
      ...settings,
      createSystem: defaultPrefevalFactory,
      progress: opts.progress && !opts.json,
      command: [prefevalReproduceCommand(settings), ...(llm?.flags ?? [])].join(" "),
      ...(llm
        ? {
            llm: {
              answerer: createPreferenceAnswerer(llm.answerModel),
              judge: createPreferenceJudge(llm.judgeModel),
              ...(llm.llmQuestions === undefined ? {} : { items: llm.llmQuestions }),
            },
          }
        : {}),
    });
  } finally {
    await disposeLlmSetup(llm);
  }
  const files = await writePrefevalReports(report, path.resolve(opts.out));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const s = report.settings;
  process.stdout.write(
    `preference recall over ${report.items.total} items (${s.topics.length} topics, ${s.distractors} distractor chats, ${s.distractor_turns} turns):\n`,
  );
  for (const system of s.systems) {
    const cells = report.retrieval
      .filter((r) => r.system === system && r.topic === "all" && r.k !== undefined)
      .map((r) => `@${r.k} ${r.recall.toFixed(3)}`);
    process.stdout.write(`  ${system.padEnd(6)} ${cells.join("  ")}\n`);
  }
  const l = report.llm;
  process.stdout.write(
    `LLM metrics: ${
      l.status === "skipped"
        ? `skipped (${l.reason})`
        : `answerer ${l.answerer}, judge ${l.judge}: ${l.rows
            .filter((r) => r.topic === "all")
            .map((r) => `${r.system} followed ${r.followed.toFixed(3)} (n=${r.items})`)
            .join("; ")}`
    }\n`,
  );
  process.stdout.write(`reports: ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}\n`);
}

/** Adds the flags and action of the PrefEval benchmark to `cmd`. */
export function configurePrefevalCommand(cmd: Command): Command {
  return addLlmOptions(addReportOptions(cmd, PREFEVAL_SYSTEM_NAMES, path.join(REPO_ROOT, "reports")), "items")
    .description(
      "PrefEval preference recall: is the turn stating a preference retrieved for a later question, among distractor chats",
    )
    .option(
      "--data <dir>",
      "PrefEval explicit/ directory (one JSON file per topic)",
      path.relative(process.cwd(), DEFAULT_PREFEVAL_DIR),
    )
    .option("--distractor-file <file>", "distractor chats (default: distractor-chats.json beside --data)")
    .option("--topics <list...>", "topics to run, comma-separated (default all)")
    .option("--limit <n>", "at most n items per topic (default all)")
    .option("--distractors <n>", "distractor chats in the history, the first n of the file (default all)")
    .option("--seed <n>", "seed of the preference placement", "1")
    .option("--top-k <n>", "k of the timed search (latency, context tokens)", "5")
    .option("--depth <n>", "results fetched per item for the metrics (default 100)")
    .action(async (opts: PrefevalCliOptions) => prefevalAction(opts));
}

/**
 * Mounts `prefeval` under the main CLI's `bench` command. The action throws MemosErrors; the
 * main CLI maps them to exit codes (exitCodeFor).
 */
export function registerPrefevalCommand(benchCommand: Command): Command {
  return configurePrefevalCommand(benchCommand.command("prefeval"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runStandalone(configurePrefevalCommand(new Command("prefeval")));
}

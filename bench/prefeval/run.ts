/**
 * The PrefEval retrieval benchmark: for every explicit-preference item, the user's memory holds
 * the distractor chats with the preference stated inside one of them (insert.ts); the item's
 * question is then searched, and we score whether a memory holding the preference turn comes
 * back in the top k (or within a token budget).
 *
 * Cost: rebuilding a memory of ~600 long turns per item would take most of an hour for `memos`.
 * Items are grouped by host chat instead: per group, the memory gets every other chat once, then
 * for each item the host chat (with that item's preference) is added, searched, and removed.
 * Each search therefore sees exactly "all distractor chats + the preference", as if built fresh.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { InvalidInputError } from "../../src/core/errors/index.js";
import { mean, percentile } from "../lib/metrics.js";
import { createProgress } from "../lib/progress.js";
import { gitCommit, type MachineInfo, machineInfo, sha256File } from "../lib/report.js";
import { countTokens } from "../lib/tokens.js";
import { REPO_ROOT } from "../locomo/run.js";
import { type DistractorChat, loadDistractorChats, loadPrefevalItems, type PrefevalItem } from "./data.js";
import { chatSession, hostSession, type Placement, placePreference } from "./insert.js";
import { type Answerer, PREF_LLM_SKIPPED, type PreferenceJudge, type PrefLlmSection } from "./llm.js";
import {
  aggregate,
  aggregateLlm,
  type ItemScore,
  type PrefRetrievalRow,
  round,
  scorePreference,
  tokensOf,
} from "./score.js";
import { PREFEVAL_SYSTEM_NAMES, type PrefevalSystem, type PrefevalSystemName } from "./systems.js";

/** PrefEval's explicit-preference topics, read in place (never copied into the repository). */
export const DEFAULT_PREFEVAL_DIR = path.resolve(REPO_ROOT, "../shared/data/prefeval/explicit");
/** The distractor chats beside the topics directory. */
export const defaultDistractorFile = (dataDir: string) => path.resolve(dataDir, "../distractor-chats.json");
export const DEFAULT_PREF_K_VALUES = [1, 5, 10] as const;
export const DEFAULT_PREF_BUDGETS = [500, 1000, 2000] as const;
export const DEFAULT_PREF_DEPTH = 100;
export const DEFAULT_SEED = 1;

/** Builds a PrefEval system by name (the CLI's default is in factory.ts). */
export type PrefevalSystemFactory = (name: PrefevalSystemName) => Promise<PrefevalSystem>;

export interface PrefevalBenchOptions {
  /** PrefEval's `explicit/` directory (one JSON file per topic). Default DEFAULT_PREFEVAL_DIR. */
  dataDir?: string;
  /** Distractor chats; default `distractor-chats.json` beside `dataDir`. */
  distractorFile?: string;
  /** Topics (file base names) to run; default all. */
  topics?: string[];
  /** At most this many items per topic (the first ones); default all. */
  limit?: number;
  /** How many distractor chats (the first N of the file) form the history; default all. */
  distractors?: number;
  /** Seed of the preference placement. Default 1. */
  seed?: number;
  /** k of the timed search (latency, context tokens). Default 5. */
  topK?: number;
  kValues?: number[];
  budgets?: number[];
  /** Results fetched per item for the metrics. Default 100. */
  depth?: number;
  /** Systems to run, in order; default all of PREFEVAL_SYSTEM_NAMES. */
  systems?: PrefevalSystemName[];
  createSystem: PrefevalSystemFactory;
  /** Progress bars on stderr (only on a TTY). Default false. */
  progress?: boolean;
  /** The LLM half: answer from the top-k memories, then judge preference following. */
  llm?: {
    answerer: Answerer;
    judge: PreferenceJudge & { readonly invalidOutputs?: number };
    /** Only the first N items per system (in run order, the same for every system) get LLM answers. Default all. */
    items?: number;
  };
  /** The command line to print as "reproduce with". */
  command?: string;
}

export type { PrefRetrievalRow };

/** Efficiency and rank summary of one system. */
export interface PrefSystemStats {
  latency_ms: { search_p50: number; search_p95: number };
  context_tokens_mean: number;
  /** Every add: the shared chats once per group plus the host chat once per item. */
  ingest: { items: number; memories: number; seconds: number; items_per_second: number };
  /** Mean reciprocal rank of the first memory holding the preference (0 when not within depth). */
  mrr: number;
  /** Items whose preference was not among the `depth` results at all. */
  not_found: number;
  /** Wall time of this system's whole run. */
  seconds: number;
}

/** What `runPrefevalBench` returns and `--json` prints. */
export interface PrefevalReport {
  benchmark: "prefeval";
  commit: string;
  data_dir: string;
  /** SHA-256 over the used topic files' hashes (`<sha256>  <file>\n`, sorted by file). */
  data_sha256: string;
  data_files: Record<string, string>;
  distractor_file: string;
  distractor_sha256: string;
  created_at: string;
  machine: MachineInfo;
  command: string;
  settings: {
    topics: string[];
    limit: number | null;
    distractors: number;
    distractor_turns: number;
    distractor_tokens: number;
    seed: number;
    insertion: string;
    top_k: number;
    k_values: number[];
    budgets: number[];
    depth: number;
    systems: string[];
    tokenizer: "cl100k_base";
    budget_rule: "stop";
  };
  retrieval: PrefRetrievalRow[];
  headline_system: string;
  latency_ms: { search_p50: number; search_p95: number };
  context_tokens_mean: number;
  ingest: { items: number; seconds: number };
  systems: Record<string, PrefSystemStats>;
  items: { total: number; by_topic: Record<string, number> };
  /** Wall time of the whole run. */
  seconds: number;
  llm: PrefLlmSection;
}

/** How the preference enters the history, as reports state it. */
export const INSERTION_RULE =
  "a user turn inside one distractor chat: host chat uniform over the chats, position uniform over its exchange " +
  "boundaries (start, end, after each assistant turn), both from mulberry32(fnv1a(`seed:topic:index`))";

function positiveInt(value: number, what: string, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidInputError({
      message: `${what} must be an integer ≥ ${min}, got ${value}`,
      hint: `e.g. ${what} 10`,
    });
  }
  return value;
}

/** SHA-256 naming exactly the topic files used. */
async function manifestHash(files: Record<string, string>): Promise<string> {
  const lines = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, sha]) => `${sha}  ${name}\n`)
    .join("");
  return createHash("sha256").update(lines).digest("hex");
}

/**
 * Runs the benchmark and returns its report (writing files is writePrefevalReports' job).
 * Throws InvalidInputError for bad data, topics or settings.
 */
export async function runPrefevalBench(options: PrefevalBenchOptions): Promise<PrefevalReport> {
  const started = performance.now();
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_PREFEVAL_DIR);
  const distractorFile = path.resolve(options.distractorFile ?? defaultDistractorFile(dataDir));
  const topK = positiveInt(options.topK ?? 5, "--top-k");
  const llmItems =
    options.llm?.items === undefined
      ? Number.POSITIVE_INFINITY
      : positiveInt(options.llm.items, "--llm-questions");
  const kValues = (options.kValues ?? [...DEFAULT_PREF_K_VALUES]).map((k) => positiveInt(k, "k values"));
  const budgets = (options.budgets ?? [...DEFAULT_PREF_BUDGETS]).map((b) => positiveInt(b, "budgets"));
  const depth = Math.max(positiveInt(options.depth ?? DEFAULT_PREF_DEPTH, "--depth"), topK, ...kValues);
  const seed = positiveInt(options.seed ?? DEFAULT_SEED, "--seed", 0);
  const limit = options.limit === undefined ? undefined : positiveInt(options.limit, "--limit");
  const systemNames = options.systems ?? [...PREFEVAL_SYSTEM_NAMES];
  if (systemNames.length === 0)
    throw new InvalidInputError({ message: "no system to run", hint: "e.g. --systems bm25" });
  for (const name of systemNames) {
    if (!(PREFEVAL_SYSTEM_NAMES as readonly string[]).includes(name)) {
      throw new InvalidInputError({
        message: `unknown system "${name}"`,
        hint: `one of ${PREFEVAL_SYSTEM_NAMES.join(", ")}`,
      });
    }
  }

  const loaded = await loadPrefevalItems(dataDir, options.topics);
  const topics = [...new Set(loaded.map((i) => i.topic))];
  const items = loaded.filter((i) => limit === undefined || i.index < limit);
  const allChats = await loadDistractorChats(distractorFile);
  const nChats = options.distractors ?? allChats.length;
  if (!Number.isSafeInteger(nChats) || nChats < 0 || nChats > allChats.length) {
    throw new InvalidInputError({
      message: `--distractors must be between 0 and ${allChats.length} (the chats in ${distractorFile}), got ${nChats}`,
      hint: `e.g. --distractors ${allChats.length}`,
    });
  }
  const chats: DistractorChat[] = allChats.slice(0, nChats);

  // Items grouped by host chat (see the module comment); groups and items in a fixed order.
  const groups = new Map<number, { item: PrefevalItem; placement: Placement }[]>();
  for (const item of items) {
    const placement = placePreference(item, chats, seed);
    const g = groups.get(placement.host) ?? [];
    g.push({ item, placement });
    groups.set(placement.host, g);
  }
  const groupOrder = [...groups.keys()].sort((a, b) => a - b);
  const sessions = chats.map((_, c) => chatSession(chats, c));

  const progress = createProgress(options.progress ?? false);
  const scores: ItemScore[] = [];
  const systemStats: Record<string, PrefSystemStats> = {};
  const names: string[] = [];
  try {
    for (const name of systemNames) {
      const s0 = performance.now();
      const system = await options.createSystem(name);
      names.push(system.name);
      const latencies: number[] = [];
      const contextTokens: number[] = [];
      const ingest = { items: 0, memories: 0, seconds: 0 };
      const ranks: number[] = [];
      const add = async (session: (typeof sessions)[number], flush: boolean) => {
        const t0 = performance.now();
        const got = await system.add(session);
        if (flush) await system.flush?.();
        ingest.seconds += (performance.now() - t0) / 1000;
        ingest.items += got.items;
        ingest.memories += got.memories;
      };
      progress.start(`prefeval ${system.name}`, items.length);
      let llmDone = 0;
      try {
        for (const host of groupOrder) {
          await system.clear();
          for (const [c, session] of sessions.entries()) if (c !== host) await add(session, false);
          for (const { item, placement } of groups.get(host) ?? []) {
            const session = hostSession(chats, placement, item.preference);
            await add(session, true);
            // Timed: the search a user makes (top-k). Untimed and deeper: the one the metrics use.
            const q0 = performance.now();
            const top = await system.search(item.question, topK);
            latencies.push(performance.now() - q0);
            contextTokens.push(top.reduce((sum, r) => sum + tokensOf(r.text), 0));
            const deep = depth > topK ? await system.search(item.question, depth) : top;
            const scored = scorePreference(deep, kValues, budgets);
            ranks.push(scored.rank);
            let followed: boolean | undefined;
            if (options.llm && llmDone < llmItems) {
              llmDone++;
              const answer = await options.llm.answerer.answer({
                question: item.question,
                memories: top,
                speakerA: "User",
                speakerB: "Assistant",
              });
              const verdict = await options.llm.judge.judge({
                preference: item.preference,
                question: item.question,
                explanation: item.explanation,
                answer,
              });
              followed = verdict.followed;
            }
            scores.push({
              system: system.name,
              topic: item.topic,
              ...scored,
              ...(followed === undefined ? {} : { followed }),
            });
            await system.remove(session.id);
            progress.increment();
          }
        }
      } finally {
        await system.close();
      }
      systemStats[system.name] = {
        latency_ms: {
          search_p50: round(percentile(latencies, 50), 3),
          search_p95: round(percentile(latencies, 95), 3),
        },
        context_tokens_mean: round(mean(contextTokens), 1),
        ingest: {
          items: ingest.items,
          memories: ingest.memories,
          seconds: round(ingest.seconds, 3),
          items_per_second: round(ingest.seconds > 0 ? ingest.items / ingest.seconds : Number.NaN, 1),
        },
        mrr: round(mean(ranks.map((r) => (r > 0 ? 1 / r : 0)))),
        not_found: ranks.filter((r) => r === 0).length,
        seconds: round((performance.now() - s0) / 1000, 2),
      };
    }
  } finally {
    progress.stop();
  }

  const dataFiles: Record<string, string> = {};
  for (const t of topics) dataFiles[`${t}.json`] = await sha256File(path.join(dataDir, `${t}.json`));
  const byTopic: Record<string, number> = {};
  for (const i of items) byTopic[i.topic] = (byTopic[i.topic] ?? 0) + 1;
  const headline = names.includes("memos") ? "memos" : (names[0] as string);
  const head = systemStats[headline] as PrefSystemStats;
  const settingsForCommand = {
    dataDir,
    distractorFile,
    topics: options.topics,
    limit,
    distractors: options.distractors,
    seed,
    topK,
    depth: options.depth,
    systems: options.systems,
  };
  return {
    benchmark: "prefeval",
    commit: gitCommit(REPO_ROOT),
    data_dir: dataDir,
    data_sha256: await manifestHash(dataFiles),
    data_files: dataFiles,
    distractor_file: distractorFile,
    distractor_sha256: await sha256File(distractorFile),
    created_at: new Date().toISOString(),
    machine: machineInfo(),
    command: options.command ?? prefevalReproduceCommand(settingsForCommand),
    settings: {
      topics,
      limit: limit ?? null,
      distractors: chats.length,
      distractor_turns: sessions.reduce((n, s) => n + s.turns.length, 0),
      distractor_tokens: sessions.reduce(
        (n, s) => n + s.turns.reduce((m, t) => m + countTokens(t.content), 0),
        0,
      ),
      seed,
      insertion: INSERTION_RULE,
      top_k: topK,
      k_values: kValues,
      budgets,
      depth,
      systems: names,
      tokenizer: "cl100k_base",
      budget_rule: "stop",
    },
    retrieval: aggregate(scores, names, topics, kValues, budgets),
    headline_system: headline,
    latency_ms: head.latency_ms,
    context_tokens_mean: head.context_tokens_mean,
    ingest: { items: head.ingest.items, seconds: head.ingest.seconds },
    systems: systemStats,
    items: { total: items.length, by_topic: byTopic },
    seconds: round((performance.now() - started) / 1000, 2),
    llm: options.llm
      ? {
          status: "done",
          answerer: options.llm.answerer.name,
          judge: options.llm.judge.name,
          llm_items: Number.isFinite(llmItems) ? llmItems : "all",
          ...(options.llm.judge.invalidOutputs === undefined
            ? {}
            : { judge_invalid_outputs: options.llm.judge.invalidOutputs }),
          rows: aggregateLlm(scores, names, topics),
        }
      : PREF_LLM_SKIPPED,
  };
}

/** The direct command that reproduces a run with these settings. */
export function prefevalReproduceCommand(s: {
  dataDir?: string;
  distractorFile?: string;
  topics?: string[];
  limit?: number;
  distractors?: number;
  seed?: number;
  topK?: number;
  depth?: number;
  systems?: string[];
}): string {
  const rel = (p: string) => path.relative(REPO_ROOT, p) || ".";
  const parts = ["npx tsx bench/prefeval/cli.ts"];
  if (s.dataDir) parts.push("--data", rel(s.dataDir));
  if (s.distractorFile && (!s.dataDir || s.distractorFile !== defaultDistractorFile(s.dataDir)))
    parts.push("--distractor-file", rel(s.distractorFile));
  if (s.topics && s.topics.length > 0) parts.push("--topics", s.topics.join(","));
  if (s.limit !== undefined) parts.push("--limit", String(s.limit));
  if (s.distractors !== undefined) parts.push("--distractors", String(s.distractors));
  parts.push("--seed", String(s.seed ?? DEFAULT_SEED), "--top-k", String(s.topK ?? 5));
  if (s.depth !== undefined) parts.push("--depth", String(s.depth));
  if (s.systems && s.systems.join(",") !== PREFEVAL_SYSTEM_NAMES.join(","))
    parts.push("--systems", s.systems.join(","));
  return parts.join(" ");
}

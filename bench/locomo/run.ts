/**
 * The LoCoMo retrieval benchmark: ingest each conversation into every system, ask its
 * questions (categories 1–4), and score retrieval against the gold evidence turns.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidInputError } from "../../src/core/errors/index.js";
import {
  bleu1,
  evidenceHit,
  evidenceRecall,
  mean,
  packByBudget,
  percentile,
  tokenF1,
} from "../lib/metrics.js";
import { createProgress } from "../lib/progress.js";
import { gitCommit, type MachineInfo, machineInfo, sha256File } from "../lib/report.js";
import { countTokens } from "../lib/tokens.js";
import { CATEGORY_NAMES, type LocomoConversation, loadLocomo } from "./data.js";
import {
  addEvidenceCounts,
  type EvidenceCounts,
  emptyEvidenceCounts,
  normalizeEvidence,
} from "./evidence.js";
import { type Answerer, type Judge, LLM_SKIPPED, type LlmRow, type LlmSection } from "./llm.js";
import { type RetrievalSystem, type Retrieved, SYSTEM_NAMES, type SystemName } from "./systems.js";

/**
 * The repository root: the nearest directory above this module holding a package.json. Walking
 * up (rather than "../..") keeps it right both from source (bench/locomo) and from the build
 * (dist/bench/locomo).
 */
export const REPO_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, "../..");
  }
}
/** The dev split, outside the repo: shared data is read in place, never copied in. */
export const DEFAULT_DATA_PATH = path.resolve(REPO_ROOT, "../shared/data/locomo/locomo-dev.json");
export const DEFAULT_K_VALUES = [1, 5, 10, 20] as const;
export const DEFAULT_BUDGETS = [500, 1000, 2000] as const;
/** Categories scored; 5 (adversarial, no answer in the conversation) is skipped, as in MemOS's eval. */
export const SCORED_CATEGORIES = [1, 2, 3, 4] as const;

/**
 * Builds a system by name; the CLI's default loads GloVe and SQLite lazily (see factory.ts).
 * `N` widens the names for benchmarks that add systems of their own (bench/compare adds mem0).
 */
export type SystemFactory<N extends string = SystemName> = (
  name: N,
  settings: { mode: "fast" | "fine" },
) => Promise<RetrievalSystem>;

export interface LocomoBenchOptions<N extends string = SystemName> {
  /** LoCoMo JSON file. Default DEFAULT_DATA_PATH. */
  dataPath?: string;
  /** sample_ids to run (default all). */
  conversations?: string[];
  /** Memory extraction mode for `memos` (default "fast"; "fine" needs an LLM). */
  mode?: "fast" | "fine";
  /** k of the timed search, for latency and context tokens (default 10). */
  topK?: number;
  /** Systems to run, in order (default all of `knownSystems`). */
  systems?: N[];
  /** The names `createSystem` can build, for validation and the default (default SYSTEM_NAMES). */
  knownSystems?: readonly N[];
  kValues?: number[];
  budgets?: number[];
  /**
   * Results fetched per question for recall at k and at budgets: enough single turns to fill the
   * largest budget. Default 200.
   */
  depth?: number;
  /** Builds the systems; required (the CLI passes the default factory). */
  createSystem: SystemFactory<N>;
  /** Progress bars on stderr (still only on a TTY). Default false. */
  progress?: boolean;
  /** Optional LLM half: answer each question from the top-k memories, then judge. */
  answerer?: Answerer;
  judge?: Judge;
  /** Only the first N scored questions (in conversation order, the same for every system) get LLM answers. Default all. */
  llmQuestions?: number;
  /** The command line to print as "reproduce with". */
  command?: string;
}

/** One retrieval metric row. Exactly one of `k` and `budget_tokens` is set. */
export interface RetrievalRow {
  system: string;
  /** "1".."4" or "all". */
  category: string;
  k?: number;
  budget_tokens?: number;
  /** Mean evidence recall, in [0, 1]. */
  recall: number;
  /** Fraction of questions with at least one evidence turn retrieved, in [0, 1]. */
  hit: number;
  /** Questions scored. */
  questions: number;
}

/** Efficiency numbers of one system. */
export interface SystemStats {
  latency_ms: { search_p50: number; search_p95: number };
  /** Mean cl100k tokens of the top-k memories' text. */
  context_tokens_mean: number;
  ingest: { items: number; memories: number; seconds: number; items_per_second: number };
}

/** What `runLocomoBench` returns and `--json` prints. */
export interface LocomoReport {
  commit: string;
  data_sha256: string;
  data_path: string;
  created_at: string;
  machine: MachineInfo;
  command: string;
  settings: {
    mode: "fast" | "fine";
    top_k: number;
    k_values: number[];
    budgets: number[];
    depth: number;
    systems: string[];
    conversations: string[];
    tokenizer: "cl100k_base";
    budget_rule: "stop";
    merge: "score";
  };
  retrieval: RetrievalRow[];
  /** The headline system's numbers (memos when it ran, else the first system). */
  headline_system: string;
  latency_ms: { search_p50: number; search_p95: number };
  context_tokens_mean: number;
  ingest: { items: number; seconds: number };
  systems: Record<string, SystemStats>;
  questions: {
    total: number;
    scored: number;
    skipped_category_5: number;
    without_evidence: number;
    by_category: Record<string, number>;
  };
  evidence: EvidenceCounts;
  llm: LlmSection;
}

interface Scored {
  system: string;
  category: number;
  /** recall/hit per k, then per budget, in settings order. */
  recallAtK: number[];
  hitAtK: number[];
  recallAtBudget: number[];
  hitAtBudget: number[];
}

function positiveInts(values: readonly number[], what: string): number[] {
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new InvalidInputError({
        message: `${what} must be positive integers, got ${v}`,
        hint: `e.g. ${what} 10`,
      });
    }
  }
  return [...values];
}

function selectConversations(all: LocomoConversation[], wanted: string[] | undefined): LocomoConversation[] {
  if (!wanted || wanted.length === 0) return all;
  const byId = new Map(all.map((c) => [c.id, c]));
  return wanted.map((id) => {
    const conv = byId.get(id);
    if (!conv) {
      throw new InvalidInputError({
        message: `no conversation "${id}" in the data file`,
        hint: `available: ${all.map((c) => c.id).join(", ")}`,
      });
    }
    return conv;
  });
}

// Token counts are memoised: the same turn or memory text is retrieved for many questions.
const tokenCache = new Map<string, number>();
function tokensOf(text: string): number {
  let n = tokenCache.get(text);
  if (n === undefined) {
    n = countTokens(text);
    tokenCache.set(text, n);
  }
  return n;
}

/** Scores one question's deep result list at each k and each budget. */
export function scoreRetrieval(
  results: readonly Retrieved[],
  evidence: readonly string[],
  kValues: readonly number[],
  budgets: readonly number[],
): Pick<Scored, "recallAtK" | "hitAtK" | "recallAtBudget" | "hitAtBudget"> {
  const ids = results.map((r) => r.diaIds);
  const tokens = results.map((r) => tokensOf(r.text));
  const taken = budgets.map((b) => packByBudget(tokens, b));
  return {
    recallAtK: kValues.map((k) => evidenceRecall(ids, evidence, k)),
    hitAtK: kValues.map((k) => evidenceHit(ids, evidence, k)),
    recallAtBudget: taken.map((n) => evidenceRecall(ids, evidence, n)),
    hitAtBudget: taken.map((n) => evidenceHit(ids, evidence, n)),
  };
}

function aggregate(
  scored: Scored[],
  systems: string[],
  kValues: number[],
  budgets: number[],
): RetrievalRow[] {
  const rows: RetrievalRow[] = [];
  const categories = ["all", ...SCORED_CATEGORIES.map(String)];
  for (const system of systems) {
    for (const category of categories) {
      // "all" is a micro-average: every question counts once, whatever its category.
      const qs = scored.filter(
        (s) => s.system === system && (category === "all" || String(s.category) === category),
      );
      if (qs.length === 0) continue;
      budgets.forEach((b, i) => {
        rows.push({
          system,
          category,
          budget_tokens: b,
          recall: mean(qs.map((q) => q.recallAtBudget[i] as number)),
          hit: mean(qs.map((q) => q.hitAtBudget[i] as number)),
          questions: qs.length,
        });
      });
      kValues.forEach((k, i) => {
        rows.push({
          system,
          category,
          k,
          recall: mean(qs.map((q) => q.recallAtK[i] as number)),
          hit: mean(qs.map((q) => q.hitAtK[i] as number)),
          questions: qs.length,
        });
      });
    }
  }
  return rows;
}

interface LlmScore {
  system: string;
  category: number;
  f1: number;
  bleu1: number;
  /** One verdict per judge run. */
  correct?: boolean[];
}

/** Population standard deviation (NaN for an empty list). */
function std(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
}

/** Per-run accuracies of judged questions (run r: the fraction of questions whose r-th verdict is correct). */
function runAccuracies(qs: readonly LlmScore[]): number[] {
  const runs = Math.min(...qs.map((q) => q.correct?.length ?? 0));
  const out: number[] = [];
  for (let r = 0; r < runs; r++) out.push(mean(qs.map((q) => (q.correct?.[r] ? 1 : 0))));
  return out;
}

function aggregateLlm(scores: LlmScore[], systems: string[], withJudge: boolean): LlmRow[] {
  const rows: LlmRow[] = [];
  for (const system of systems) {
    for (const category of ["all", ...SCORED_CATEGORIES.map(String)]) {
      const qs = scores.filter(
        (s) => s.system === system && (category === "all" || String(s.category) === category),
      );
      if (qs.length === 0) continue;
      rows.push({
        system,
        category,
        questions: qs.length,
        f1: mean(qs.map((q) => q.f1)),
        bleu1: mean(qs.map((q) => q.bleu1)),
        ...(withJudge ? judgeStats(runAccuracies(qs)) : {}),
      });
    }
  }
  return rows;
}

function judgeStats(accuracies: number[]): Pick<LlmRow, "judge_accuracy" | "judge_std" | "judge_runs"> {
  return {
    judge_accuracy: round(mean(accuracies)),
    judge_std: round(std(accuracies)),
    judge_runs: accuracies.map((a) => round(a)),
  };
}

const round = (x: number, digits = 4) =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

/**
 * Runs the benchmark and returns its report (writing files is the caller's business, see
 * writeLocomoReports). Throws InvalidInputError for a bad data file, id or setting.
 */
export async function runLocomoBench<N extends string = SystemName>(
  options: LocomoBenchOptions<N>,
): Promise<LocomoReport> {
  const dataPath = path.resolve(options.dataPath ?? DEFAULT_DATA_PATH);
  const mode = options.mode ?? "fast";
  const [topK] = positiveInts([options.topK ?? 10], "--top-k");
  const kValues = positiveInts(options.kValues ?? [...DEFAULT_K_VALUES], "k values");
  const budgets = positiveInts(options.budgets ?? [...DEFAULT_BUDGETS], "budgets");
  const [depthOpt] = positiveInts([options.depth ?? 200], "--depth");
  const llmQuestions =
    options.llmQuestions === undefined
      ? Number.POSITIVE_INFINITY
      : (positiveInts([options.llmQuestions], "--llm-questions")[0] as number);
  // Deep enough for every k and for the timed top-k.
  const depth = Math.max(depthOpt as number, ...kValues, topK as number);
  // Without knownSystems, N is SystemName (the default type argument), so this cast holds.
  const known: readonly N[] = options.knownSystems ?? (SYSTEM_NAMES as readonly string[] as readonly N[]);
  const systemNames: N[] = options.systems ?? [...known];
  for (const name of systemNames) {
    if (!known.includes(name)) {
      throw new InvalidInputError({
        message: `unknown system "${name}"`,
        hint: `one of ${known.join(", ")}`,
      });
    }
  }
  if (systemNames.length === 0)
    throw new InvalidInputError({ message: "no system to run", hint: "e.g. --systems bm25" });

  const all = await loadLocomo(dataPath);
  const conversations = selectConversations(all, options.conversations);
  const progress = createProgress(options.progress ?? false);

  // Evidence is normalised once, up front, so every system is scored on the same gold ids.
  const evidenceCounts = emptyEvidenceCounts();
  const questions = {
    total: 0,
    scored: 0,
    skipped_category_5: 0,
    without_evidence: 0,
    by_category: {} as Record<string, number>,
  };
  const plan = conversations.map((conv) => {
    const turnIds = new Set(conv.sessions.flatMap((s) => s.turns.map((t) => t.diaId)));
    const qa = [];
    for (const q of conv.qa) {
      questions.total++;
      if (q.category === 5) {
        questions.skipped_category_5++;
        continue;
      }
      const { ids, counts } = normalizeEvidence(q.evidence, turnIds);
      addEvidenceCounts(evidenceCounts, counts);
      if (ids.length === 0) {
        questions.without_evidence++;
        continue;
      }
      questions.scored++;
      questions.by_category[String(q.category)] = (questions.by_category[String(q.category)] ?? 0) + 1;
      qa.push({ ...q, evidenceIds: ids });
    }
    return { conv, qa };
  });

  const systems: RetrievalSystem[] = [];
  for (const name of systemNames) systems.push(await options.createSystem(name, { mode }));

  const scored: Scored[] = [];
  const llmScores: LlmScore[] = [];
  const llmAnswered = new Map<string, number>();
  const stats = new Map<
    string,
    { latencies: number[]; contextTokens: number[]; items: number; memories: number; seconds: number }
  >();
  for (const s of systems)
    stats.set(s.name, { latencies: [], contextTokens: [], items: 0, memories: 0, seconds: 0 });

  try {
    for (const { conv, qa } of plan) {
      for (const system of systems) {
        const st = stats.get(system.name) as NonNullable<ReturnType<typeof stats.get>>;
        progress.start(`${conv.id} ${system.name} ingest`, conv.sessions.length);
        const t0 = performance.now();
        const ingested = await system.ingest(conv, (done) => progress.update(done));
        st.seconds += (performance.now() - t0) / 1000;
        st.items += ingested.items;
        st.memories += ingested.memories;
        progress.update(conv.sessions.length);

        progress.start(`${conv.id} ${system.name} search`, qa.length);
        const dates = new Map(
          conv.sessions.flatMap((s) => s.turns.map((t) => [t.diaId, s.dateTime] as const)),
        );
        for (const q of qa) {
          // The timed call is the one a user makes (top-k); a deeper, untimed one feeds the
          // metrics at k up to 20 and at token budgets.
          const s0 = performance.now();
          const top = await system.search(conv, q.question, topK as number);
          st.latencies.push(performance.now() - s0);
          st.contextTokens.push(top.reduce((sum, r) => sum + tokensOf(r.text), 0));
          const deep = depth > (topK as number) ? await system.search(conv, q.question, depth) : top;
          scored.push({
            system: system.name,
            category: q.category,
            ...scoreRetrieval(deep, q.evidenceIds, kValues, budgets),
          });
          if (options.answerer && (llmAnswered.get(system.name) ?? 0) < llmQuestions) {
            llmAnswered.set(system.name, (llmAnswered.get(system.name) ?? 0) + 1);
            const prediction = await options.answerer.answer({
              question: q.question,
              memories: top,
              speakerA: conv.speakerA,
              speakerB: conv.speakerB,
              dateOf: (id) => dates.get(id),
            });
            const verdicts = options.judge
              ? await options.judge.judge({ question: q.question, gold: q.answer, prediction })
              : undefined;
            const correct =
              verdicts === undefined ? undefined : typeof verdicts === "boolean" ? [verdicts] : [...verdicts];
            llmScores.push({
              system: system.name,
              category: q.category,
              f1: tokenF1(prediction, q.answer),
              bleu1: bleu1(prediction, q.answer),
              ...(correct === undefined ? {} : { correct }),
            });
          }
          progress.increment();
        }
        await system.release?.(conv);
      }
    }
  } finally {
    progress.stop();
  }

  const names = systems.map((s) => s.name);
  const systemStats: Record<string, SystemStats> = {};
  for (const [name, st] of stats) {
    systemStats[name] = {
      latency_ms: {
        search_p50: round(percentile(st.latencies, 50), 3),
        search_p95: round(percentile(st.latencies, 95), 3),
      },
      context_tokens_mean: round(mean(st.contextTokens), 1),
      ingest: {
        items: st.items,
        memories: st.memories,
        seconds: round(st.seconds, 3),
        items_per_second: round(st.seconds > 0 ? st.items / st.seconds : Number.NaN, 1),
      },
    };
  }
  const headline = names.includes("memos") ? "memos" : (names[0] as string);
  const head = systemStats[headline] as SystemStats;

  const llm: LlmSection = options.answerer
    ? {
        status: "done",
        answerer: options.answerer.name,
        ...(options.judge
          ? {
              judge: options.judge.name,
              judge_runs: options.judge.runs ?? 1,
              ...(options.judge.invalidOutputs === undefined
                ? {}
                : { judge_invalid_outputs: options.judge.invalidOutputs }),
            }
          : {}),
        llm_questions: Number.isFinite(llmQuestions) ? llmQuestions : "all",
        rows: aggregateLlm(llmScores, names, options.judge !== undefined).map((r) => ({
          ...r,
          f1: round(r.f1),
          bleu1: round(r.bleu1),
        })),
      }
    : LLM_SKIPPED;

  return {
    commit: gitCommit(REPO_ROOT),
    data_sha256: await sha256File(dataPath),
    data_path: dataPath,
    created_at: new Date().toISOString(),
    machine: machineInfo(),
    command: options.command ?? reproduceCommand({ ...options, dataPath, mode, topK, systems: systemNames }),
    settings: {
      mode,
      top_k: topK as number,
      k_values: kValues,
      budgets,
      depth,
      systems: names,
      conversations: conversations.map((c) => c.id),
      tokenizer: "cl100k_base",
      budget_rule: "stop",
      merge: "score",
    },
    retrieval: aggregate(scored, names, kValues, budgets).map((r) => ({
      ...r,
      recall: round(r.recall),
      hit: round(r.hit),
    })),
    headline_system: headline,
    latency_ms: head.latency_ms,
    context_tokens_mean: head.context_tokens_mean,
    ingest: { items: head.ingest.items, seconds: head.ingest.seconds },
    systems: systemStats,
    questions,
    evidence: evidenceCounts,
    llm,
  };
}

/** The direct command that reproduces a run with these options. */
export function reproduceCommand(
  options: Partial<
    Pick<LocomoBenchOptions<string>, "dataPath" | "conversations" | "mode" | "topK" | "systems" | "depth">
  >,
): string {
  const parts = ["npx tsx bench/locomo/cli.ts"];
  if (options.dataPath) parts.push("--data", path.relative(REPO_ROOT, options.dataPath) || ".");
  for (const c of options.conversations ?? []) parts.push("--conv", c);
  parts.push("--mode", options.mode ?? "fast", "--top-k", String(options.topK ?? 10));
  if (options.systems && options.systems.join(",") !== SYSTEM_NAMES.join(","))
    parts.push("--systems", options.systems.join(","));
  if (options.depth !== undefined) parts.push("--depth", String(options.depth));
  return parts.join(" ");
}

export { CATEGORY_NAMES };

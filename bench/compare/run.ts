/**
 * `memos bench compare --with mem0`: the LoCoMo retrieval benchmark with mem0 as one more system,
 * in the same run, through the same runner (runLocomoBench): same conversations, questions,
 * evidence normalisation, k and token budgets, timing. Only the memory differs; both use our
 * offline GloVe embedder.
 */
import path from "node:path";
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import { defaultSystemFactory } from "../locomo/factory.js";
import {
  DEFAULT_DATA_PATH,
  type LocomoReport,
  REPO_ROOT,
  runLocomoBench,
  type SystemFactory,
} from "../locomo/run.js";
import type { RetrievalSystem } from "../locomo/systems.js";
import { createMem0System, type Mem0System, mem0Version } from "./mem0-system.js";

/** Memories `--with` accepts. */
export const COMPARE_WITH = ["mem0"] as const;
export type CompareWith = (typeof COMPARE_WITH)[number];

/** Systems of a comparison run, in report order: ours, the other memory, then the baselines. */
export const COMPARE_SYSTEM_NAMES = ["memos", "mem0", "bm25", "bm25-dated", "glove"] as const;
export type CompareSystemName = (typeof COMPARE_SYSTEM_NAMES)[number];

export interface CompareBenchOptions {
  with: CompareWith;
  /** LoCoMo JSON file. Default the dev split. */
  dataPath?: string;
  conversations?: string[];
  /** k of the timed search (default 10). */
  topK?: number;
  /** Results per question for the metrics (default 200). */
  depth?: number;
  /** Default all of COMPARE_SYSTEM_NAMES. */
  systems?: CompareSystemName[];
  /**
   * Builds everything but mem0 (default: the LoCoMo factory, fast mode). Tests pass baselines only.
   */
  createSystem?: SystemFactory;
  /** The embedder mem0 uses (default: the offline GloVe embedder, as `memos` uses). */
  mem0Embedder?: () => Promise<Embedder>;
  progress?: boolean;
  command?: string;
}

/** The comparison report: a LoCoMo report plus how mem0 was set up. */
export interface CompareReport extends LocomoReport {
  benchmark: "compare";
  compared_with: CompareWith;
  mem0: {
    package: "mem0ai";
    version: string;
    setup: {
      api: "mem0ai/oss Memory (in process)";
      add: string;
      search: string;
      embedder: string;
      vector_store: string;
      llm: string;
      telemetry: string;
    };
    /** mem0's `search` threshold (minimum cosine); 0 ranks every candidate. */
    threshold: number;
    /** Requests mem0 attempted while it ran (all refused by the guard). Must be 0. */
    network_attempts: number;
  } | null;
}

let glove: Promise<Embedder> | undefined;
function gloveEmbedder(): Promise<Embedder> {
  // The GloVe table is shared per process, so this and the LoCoMo factory's embedder cost one load.
  glove ??= import("../../src/providers/glove/index.js").then((m) => m.createGloveEmbedder());
  return glove;
}

/** Runs the comparison and returns its report (files: writeCompareReports). */
export async function runCompareBench(options: CompareBenchOptions): Promise<CompareReport> {
  const base = options.createSystem ?? defaultSystemFactory;
  const embedderOf = options.mem0Embedder ?? gloveEmbedder;
  let mem0: Mem0System | undefined;
  const createSystem = async (name: CompareSystemName): Promise<RetrievalSystem> => {
    if (name !== "mem0") return base(name, { mode: "fast" });
    mem0 = await createMem0System({ embedder: await embedderOf() });
    return mem0;
  };
  const dataPath = path.resolve(options.dataPath ?? DEFAULT_DATA_PATH);
  let report: LocomoReport;
  try {
    report = await runLocomoBench<CompareSystemName>({
      dataPath,
      ...(options.conversations ? { conversations: options.conversations } : {}),
      mode: "fast",
      ...(options.topK !== undefined ? { topK: options.topK } : {}),
      ...(options.depth !== undefined ? { depth: options.depth } : {}),
      systems: options.systems ?? [...COMPARE_SYSTEM_NAMES],
      knownSystems: COMPARE_SYSTEM_NAMES,
      createSystem,
      progress: options.progress ?? false,
      command: options.command ?? compareReproduceCommand({ ...options, dataPath }),
    });
  } finally {
    await (mem0 as Mem0System | undefined)?.close();
  }
  const ran = mem0 as Mem0System | undefined;
  return {
    benchmark: "compare",
    compared_with: options.with,
    ...report,
    mem0: ran
      ? {
          package: "mem0ai",
          version: ran.version || mem0Version(),
          setup: {
            api: "mem0ai/oss Memory (in process)",
            add: "one add([{role, content: 'Speaker: text'}], {userId: <conversation>, infer: false, metadata: {dia_id}}) per turn; each turn stored once",
            search: `search(question, {filters: {user_id: <conversation>}, topK, threshold: ${ran.threshold}})`,
            embedder: "langchain provider wrapping our GloVe embedder (100-d), the one memos uses",
            vector_store: ran.inMemory
              ? 'memory provider, SQLite ":memory:" (as memos), one per conversation; history disabled'
              : "memory provider, one SQLite file per conversation in a temporary MEM0_DIR; history disabled",
            llm: "dummy openai config (never called with infer: false)",
            telemetry: "MEM0_TELEMETRY=false set before import; fetch and http(s) refused and counted",
          },
          threshold: ran.threshold,
          network_attempts: ran.networkAttempts.length,
        }
      : null,
  };
}

/** The direct command that reproduces a comparison. */
export function compareReproduceCommand(o: Partial<CompareBenchOptions>): string {
  const parts = ["npx tsx bench/compare/cli.ts", "--with", o.with ?? "mem0"];
  if (o.dataPath) parts.push("--data", path.relative(REPO_ROOT, o.dataPath) || ".");
  for (const c of o.conversations ?? []) parts.push("--conv", c);
  parts.push("--top-k", String(o.topK ?? 10));
  if (o.depth !== undefined) parts.push("--depth", String(o.depth));
  if (o.systems && o.systems.join(",") !== COMPARE_SYSTEM_NAMES.join(","))
    parts.push("--systems", o.systems.join(","));
  return parts.join(" ");
}

/**
 * mem0 (npm `mem0ai`, its in-process OSS `Memory`) as a LoCoMo RetrievalSystem, so it is scored
 * by exactly the code that scores ours.
 *
 * Offline setup, from reading mem0ai 3.3.x's dist/oss:
 * - `MEM0_TELEMETRY=false` must be in the environment before the module loads (it is read once,
 *   at import), so the module is imported dynamically after setting it; `MEM0_DIR` (read at call
 *   time) points at a temporary directory, where mem0 writes its anonymous-id config.json.
 * - `add(messages, {infer: false})` calls no LLM: it embeds each non-system message's `content`
 *   and stores it as one memory, with the call's `metadata` on every memory of the call. One
 *   call per turn therefore gives each memory its own `metadata.dia_id`.
 * - An `llm` config is still built at construction (an OpenAI client, which needs some API key
 *   but makes no request until used); it gets a dummy key and an unroutable base URL.
 * - `search` embeds the query, takes the top max(4·topK, 60) by cosine over the user's rows,
 *   adds a sigmoid-normalised BM25 score over stemmed text (and an entity boost, empty here:
 *   entities are only linked with `infer: true`), divides by the number of signals, drops
 *   candidates whose cosine is under `threshold` (default 0.1) and returns
 *   `{results: [{id, memory, score, metadata, user_id, …}]}`.
 * - The "memory" vector store is SQLite (better-sqlite3) with brute-force scans; it accepts
 *   `dbPath: ":memory:"`, which the benchmark uses (as it uses ":memory:" for ours: it measures
 *   the memory layer, not the disk — with a file, every add is a committed transaction). History
 *   is disabled (`disableHistory`), otherwise it writes memory.db in the working directory.
 * A network guard refuses and counts any request while the system is alive.
 */

import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import type { LocomoConversation } from "../locomo/data.js";
import { type IngestStats, type RetrievalSystem, type Retrieved, turnText } from "../locomo/systems.js";
import { installNetworkGuard, type NetworkGuard } from "./network-guard.js";

/** The slice of mem0's `Memory` this benchmark uses (its own .d.ts pulls in optional SDKs). */
interface Mem0Memory {
  add(
    messages: { role: string; content: string }[],
    config: { userId: string; infer: boolean; metadata?: Record<string, unknown> },
  ): Promise<{ results: { id: string; memory: string }[] }>;
  search(
    query: string,
    config: { filters: { user_id: string }; topK: number; threshold?: number },
  ): Promise<{
    results: { id: string; memory: string; score?: number; metadata?: Record<string, unknown> }[];
  }>;
}
type Mem0Module = { Memory: new (config: Record<string, unknown>) => Mem0Memory };

export interface Mem0SystemOptions {
  /** Embeds turns and queries; the benchmark passes our GloVe embedder so only the memory differs. */
  embedder: Embedder;
  /** MEM0_DIR (mem0's config.json, vector files). Default: a fresh temporary directory, removed by close(). */
  dir?: string;
  /** Vector stores in SQLite ":memory:" (default true), else one file per conversation in `dir`. */
  inMemory?: boolean;
  /**
   * mem0's minimum cosine for a result. Default 0: every candidate is ranked, so recall at k and
   * at budgets is not cut short by a cut-off our system does not have (mem0's own default is 0.1).
   */
  threshold?: number;
}

/** mem0 under test; `close` removes its files and lifts the network guard. */
export interface Mem0System extends RetrievalSystem {
  /** mem0ai's package version. */
  readonly version: string;
  /** The directory mem0 wrote to. */
  readonly dir: string;
  readonly threshold: number;
  /** Whether the vector stores are SQLite ":memory:". */
  readonly inMemory: boolean;
  /** Requests mem0 attempted (all refused); must stay empty. */
  readonly networkAttempts: readonly string[];
  close(): Promise<void>;
}

/** mem0ai's version, from its package.json (not in its `exports`, so found from the entry file). */
export function mem0Version(): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve("mem0ai/oss"));
    for (; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      const file = path.join(dir, "package.json");
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "mem0ai") return pkg.version ?? "unknown";
    }
  } catch {
    // Fall through: a missing package is reported when the module is imported.
  }
  return "unknown";
}

/** mem0's "langchain" embedder expects LangChain's Embeddings shape: plain number arrays. */
function langchainEmbeddings(embedder: Embedder) {
  return {
    async embedQuery(text: string): Promise<number[]> {
      const [v] = await embedder.doEmbed([text]);
      return Array.from(v ?? []);
    },
    async embedDocuments(texts: string[]): Promise<number[][]> {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += embedder.maxBatch) {
        for (const v of await embedder.doEmbed(texts.slice(i, i + embedder.maxBatch)))
          out.push(Array.from(v));
      }
      return out;
    },
  };
}

const safeName = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "_");

/** Creates the `mem0` system: one mem0 Memory (its own SQLite database) per conversation. */
export async function createMem0System(options: Mem0SystemOptions): Promise<Mem0System> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), "memos-bench-mem0-")));
  const threshold = options.threshold ?? 0;
  const inMemory = options.inMemory ?? true;
  // Restored by close(). MEM0_TELEMETRY only matters at the first import, which it precedes.
  const savedEnv = { MEM0_TELEMETRY: process.env.MEM0_TELEMETRY, MEM0_DIR: process.env.MEM0_DIR };
  process.env.MEM0_TELEMETRY = "false";
  process.env.MEM0_DIR = dir;
  const guard: NetworkGuard = installNetworkGuard();
  let mod: Mem0Module;
  try {
    mod = (await import("mem0ai/oss")) as unknown as Mem0Module;
  } catch (error) {
    guard.restore();
    throw error;
  }
  const model = langchainEmbeddings(options.embedder);
  const memories = new Map<string, Mem0Memory>();

  const open = (conv: LocomoConversation): Mem0Memory =>
    new mod.Memory({
      version: "v1.1",
      embedder: { provider: "langchain", config: { model } },
      vectorStore: {
        provider: "memory",
        config: {
          collectionName: safeName(conv.id),
          dimension: options.embedder.dimensions,
          dbPath: inMemory ? ":memory:" : path.join(dir, `${safeName(conv.id)}.db`),
        },
      },
      // Never called with infer: false; present because mem0 builds its LLM client eagerly.
      llm: {
        provider: "openai",
        config: { apiKey: "unused-offline", model: "unused", baseURL: "http://127.0.0.1:9/v1" },
      },
      disableHistory: true,
    });

  const release = (convId: string) => {
    const memory = memories.get(convId);
    memories.delete(convId);
    // mem0's Memory has no close(); its SQLite handles are closed where reachable, best effort.
    const stores = memory as unknown as {
      vectorStore?: { db?: { close?: () => void } };
      _entityStore?: { db?: { close?: () => void } };
    };
    for (const s of [stores?.vectorStore, stores?._entityStore]) {
      try {
        s?.db?.close?.();
      } catch {
        // Already closed or not SQLite: nothing to release.
      }
    }
  };

  return {
    name: "mem0",
    version: mem0Version(),
    dir,
    threshold,
    inMemory,
    networkAttempts: guard.attempts,
    async ingest(conv, onProgress): Promise<IngestStats> {
      const memory = open(conv);
      memories.set(conv.id, memory);
      let items = 0;
      let stored = 0;
      for (const [done, session] of conv.sessions.entries()) {
        onProgress?.(done, conv.sessions.length);
        for (const turn of session.turns) {
          if (turn.text.trim() === "") continue;
          // One call per turn: metadata is per call, and dia_id must be per memory.
          const res = await memory.add(
            [{ role: turn.speaker === conv.speakerA ? "user" : "assistant", content: turnText(turn) }],
            { userId: conv.id, infer: false, metadata: { dia_id: turn.diaId } },
          );
          items++;
          stored += res.results.length;
        }
      }
      return { items, memories: stored };
    },
    async search(conv, question, k): Promise<Retrieved[]> {
      const memory = memories.get(conv.id);
      if (!memory) return [];
      const res = await memory.search(question, { filters: { user_id: conv.id }, topK: k, threshold });
      return res.results.map((r) => {
        const dia = r.metadata?.dia_id;
        return { text: r.memory, diaIds: typeof dia === "string" ? [dia] : [], score: r.score ?? 0 };
      });
    },
    async release(conv) {
      release(conv.id);
    },
    async close() {
      for (const id of [...memories.keys()]) release(id);
      guard.restore();
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The retrieval systems the benchmark compares, behind one small interface, plus the
 * turn-level baselines (BM25, dated BM25, dense GloVe). Our own memory is in memos-system.ts.
 */
import { type Embedder, embedMany } from "../../src/core/interfaces/embedder.js";
import type { TextualMemoryItem } from "../../src/core/schema/memory.js";
import { Bm25Index } from "../lib/bm25.js";
import type { LocomoConversation, LocomoSession, LocomoTurn } from "./data.js";

/** One retrieved memory, mapped back to the conversation turns it was made from. */
export interface Retrieved {
  /** The memory's text, as it would go into a prompt (budgets count its tokens). */
  text: string;
  /** LoCoMo turn ids (e.g. "D3:12") the memory covers. */
  diaIds: string[];
  /** The system's own score; higher is better. Only comparable within one system. */
  score: number;
  /** Our memory's item, when the system is ours (lets a merge cut windows as search does). */
  item?: TextualMemoryItem;
}

/** What an ingest produced. */
export interface IngestStats {
  /** Messages (turns, once per point of view for systems that keep two) read. */
  items: number;
  /** Memories the system stored; equals items for turn-level baselines. */
  memories: number;
}

/**
 * A system under test. `ingest` is called once per conversation before any `search` on it;
 * `release` (optional) frees what the conversation held, after its last search.
 */
export interface RetrievalSystem {
  readonly name: string;
  /** `onProgress(done, total)` may be called as sessions are read, for progress bars. */
  ingest(conv: LocomoConversation, onProgress?: (done: number, total: number) => void): Promise<IngestStats>;
  /** The best `k` memories for `question`, best first, from this conversation only. */
  search(conv: LocomoConversation, question: string, k: number): Promise<Retrieved[]>;
  release?(conv: LocomoConversation): Promise<void>;
}

/** Names of the systems `memos bench locomo` knows. */
export const SYSTEM_NAMES = ["memos", "bm25", "bm25-dated", "glove", "memos-general"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/**
 * A turn as every system sees it: `Speaker: text`, as MemOS's LoCoMo evaluation writes it.
 * Image captions are left out there too, so they are left out here.
 */
export function turnText(turn: LocomoTurn): string {
  return `${turn.speaker}: ${turn.text}`;
}

interface TurnDoc {
  text: string;
  diaId: string;
}

function turnDocs(conv: LocomoConversation, dated: boolean): TurnDoc[] {
  const docs: TurnDoc[] = [];
  const prefix = (s: LocomoSession) => (dated && s.dateTime ? `[${s.dateTime}] ` : "");
  for (const session of conv.sessions) {
    for (const turn of session.turns)
      docs.push({ text: prefix(session) + turnText(turn), diaId: turn.diaId });
  }
  return docs;
}

/**
 * Okapi BM25 over single turns. `dated` puts the session date in front of each turn (and so
 * into its budgeted text), which lets temporal questions match on dates.
 */
export function createBm25System(options: { dated?: boolean } = {}): RetrievalSystem {
  const dated = options.dated ?? false;
  const indexes = new Map<string, { docs: TurnDoc[]; index: Bm25Index }>();
  return {
    name: dated ? "bm25-dated" : "bm25",
    async ingest(conv) {
      const docs = turnDocs(conv, dated);
      indexes.set(conv.id, { docs, index: new Bm25Index(docs.map((d) => d.text)) });
      return { items: docs.length, memories: docs.length };
    },
    async search(conv, question, k) {
      const entry = indexes.get(conv.id);
      if (!entry) return [];
      return entry.index.search(question, k).map((h) => {
        const doc = entry.docs[h.index] as TurnDoc;
        return { text: doc.text, diaIds: [doc.diaId], score: h.score };
      });
    },
    async release(conv) {
      indexes.delete(conv.id);
    },
  };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Dense retrieval over single turns with the given embedder (the offline GloVe one in the
 * benchmark): cosine similarity, computed as a dot product because the embedder returns unit
 * vectors, by brute force (a few hundred turns per conversation).
 */
export function createDenseSystem(embedder: Embedder, name = "glove"): RetrievalSystem {
  const indexes = new Map<string, { docs: TurnDoc[]; vectors: Float32Array[] }>();
  return {
    name,
    async ingest(conv) {
      const docs = turnDocs(conv, false);
      const vectors = await embedMany(
        embedder,
        docs.map((d) => d.text),
      );
      indexes.set(conv.id, { docs, vectors });
      return { items: docs.length, memories: docs.length };
    },
    async search(conv, question, k) {
      const entry = indexes.get(conv.id);
      if (!entry) return [];
      const [q] = await embedder.doEmbed([question]);
      if (!q) return [];
      const scored = entry.vectors.map((v, index) => ({ index, score: dot(q, v) }));
      scored.sort((a, b) => b.score - a.score || a.index - b.index);
      return scored.slice(0, k).map((s) => {
        const doc = entry.docs[s.index] as TurnDoc;
        return { text: doc.text, diaIds: [doc.diaId], score: s.score };
      });
    },
    async release(conv) {
      indexes.delete(conv.id);
    },
  };
}

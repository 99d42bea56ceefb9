/**
 * Our memory under test: one cube per conversation and speaker (TreeTextMemory by default,
 * GeneralTextMemory as `memos-general`), filled the way MemOS's LoCoMo evaluation fills its
 * memories (locomo_ingestion.py), searched per speaker and merged.
 */
import type { Embedder } from "../../src/core/interfaces/embedder.js";
import type { MemoryStore } from "../../src/core/interfaces/store.js";
import type { TextualMemoryItem } from "../../src/core/schema/memory.js";
import { parseChatTime } from "../../src/core/time.js";
import { GeneralTextMemory } from "../../src/memory/textual/general.js";
import { TreeTextMemory, type TreeTextMemoryOptions } from "../../src/memory/textual/tree/index.js";
import type { ChatMessage } from "../../src/reader/chat-schema.js";
import type { FastMemReader } from "../../src/reader/fast-reader.js";
import { packTurns } from "../../src/retrieve/coverage.js";
import type { LocomoConversation, LocomoSession } from "./data.js";
import type { IngestStats, RetrievalSystem, Retrieved } from "./systems.js";

export interface MemosSystemOptions {
  embedder: Embedder;
  /** A fresh, empty store for one cube (the benchmark uses SQLite ":memory:"). */
  makeStore: (cubeId: string) => Promise<MemoryStore>;
  mode?: "fast" | "fine";
  /** The reader (window sizes) the cubes use; the library default when absent. */
  reader?: FastMemReader;
  /** "tree" (default): TreeTextMemory; "general": GeneralTextMemory. */
  memory?: "tree" | "general";
  /** Extra TreeTextMemory options (searcher weights, capacities, reorganize), for tuning runs. */
  tree?: Partial<Omit<TreeTextMemoryOptions, "store" | "embedder">>;
  /** System name in reports; default "memos" (tree) or "memos-general". */
  name?: string;
}

type Memory = GeneralTextMemory | TreeTextMemory;

interface Cubes {
  a: Memory;
  b: Memory;
  stores: MemoryStore[];
}

/**
 * One session as seen by `self`: their turns are "user", the other's "assistant"; chat_time is
 * the session date, message_id the LoCoMo dia_id (so a memory's `sources[].message_id` maps it
 * back to turns). MemOS's eval writes content as `Speaker: text`; our reader already renders
 * each turn as `${speaker}: ${content}`, so content is the bare text and the memory reads
 * `Speaker: text` once (not "Ada: Ada: text").
 */
export function sessionMessages(session: LocomoSession, self: string): ChatMessage[] {
  // ISO when the date parses (our reader stamps windows with it); as written otherwise.
  const chatTime = session.dateTime ? (parseChatTime(session.dateTime) ?? session.dateTime) : undefined;
  return session.turns
    .filter((t) => t.text.trim() !== "")
    .map((t) => ({
      role: t.speaker === self ? "user" : "assistant",
      content: t.text,
      speaker: t.speaker,
      message_id: t.diaId,
      ...(chatTime ? { chat_time: chatTime } : {}),
    }));
}

/** The LoCoMo turn ids a memory was built from, in source order, without repeats. */
export function memoryDiaIds(item: TextualMemoryItem): string[] {
  const ids: string[] = [];
  for (const s of item.metadata.sources) {
    const id = s.message_id;
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Merges the two speakers' result lists into one ranking: by score, descending (both cubes
 * score with the same embedder and fusion, so scores are comparable); ties keep speaker A
 * first. Both cubes hold the same turns, so a memory whose text already appeared is dropped —
 * otherwise every fact would take two of the k slots.
 */
export function mergeByScore(a: readonly Retrieved[], b: readonly Retrieved[], k: number): Retrieved[] {
  const all = [...a.map((r, i) => ({ r, i, side: 0 })), ...b.map((r, i) => ({ r, i, side: 1 }))];
  all.sort((x, y) => y.r.score - x.r.score || x.side - y.side || x.i - y.i);
  const seenText = new Set<string>();
  const unique = all.map((e) => e.r).filter((r) => !seenText.has(r.text) && seenText.add(r.text));
  // Our items: the same packing as a search (a window cut to the turns not yet returned).
  if (unique.every((r) => r.item)) {
    return packTurns(
      unique,
      (r) => r.item as TextualMemoryItem,
      (r, item) => ({ ...r, item, text: item.memory, diaIds: memoryDiaIds(item) }),
    ).slice(0, k);
  }
  const turns = new Set<string>();
  const out: Retrieved[] = [];
  for (const r of unique) {
    // Every turn already in a better result (the other cube's window or turns): nothing new.
    if (r.diaIds.length > 0 && r.diaIds.every((id) => turns.has(id))) continue;
    for (const id of r.diaIds) turns.add(id);
    out.push(r);
    if (out.length >= k) break;
  }
  return out;
}

/**
 * The `memos` system of the benchmark. Tree cubes run with their defaults: working memory,
 * reorganizer (without an LLM: exact and near-exact duplicates merged), usage tracking; capacities
 * do not bind here (a LoCoMo speaker cube holds a few hundred memories).
 */
export function createMemosSystem(options: MemosSystemOptions): RetrievalSystem {
  const mode = options.mode ?? "fast";
  const kind = options.memory ?? "tree";
  const cubes = new Map<string, Cubes>();

  const open = (store: MemoryStore): Memory =>
    kind === "tree"
      ? new TreeTextMemory({ ...options.tree, store, embedder: options.embedder, reader: options.reader })
      : new GeneralTextMemory({ store, embedder: options.embedder, reader: options.reader });

  async function searchCube(mem: Memory, question: string, k: number): Promise<Retrieved[]> {
    const hits = await mem.search(question, { topK: k });
    return hits.map((h) => ({
      text: h.item.memory,
      diaIds: memoryDiaIds(h.item),
      score: h.score,
      item: h.item,
    }));
  }

  return {
    name: options.name ?? (kind === "tree" ? "memos" : "memos-general"),
    async ingest(
      conv: LocomoConversation,
      onProgress?: (done: number, total: number) => void,
    ): Promise<IngestStats> {
      const stores = [
        await options.makeStore(`${conv.id}_speaker_a`),
        await options.makeStore(`${conv.id}_speaker_b`),
      ];
      const [storeA, storeB] = stores as [MemoryStore, MemoryStore];
      const entry: Cubes = { a: open(storeA), b: open(storeB), stores };
      cubes.set(conv.id, entry);
      let items = 0;
      let memories = 0;
      const speakers: [Memory, string, string][] = [
        [entry.a, conv.speakerA, `${conv.id}_speaker_a`],
        [entry.b, conv.speakerB, `${conv.id}_speaker_b`],
      ];
      // Every session is added once per point of view, session by session, as MemOS's eval does.
      for (const [done, session] of conv.sessions.entries()) {
        onProgress?.(done, conv.sessions.length);
        for (const [mem, self, userId] of speakers) {
          const messages = sessionMessages(session, self);
          if (messages.length === 0) continue;
          const added = await mem.addMessages(messages, {
            userId,
            sessionId: `${conv.id}_session_${session.index}`,
            mode,
          });
          items += messages.length;
          memories += added.length;
        }
      }
      return { items, memories };
    },
    async search(conv, question, k) {
      const entry = cubes.get(conv.id);
      if (!entry) return [];
      const [a, b] = await Promise.all([searchCube(entry.a, question, k), searchCube(entry.b, question, k)]);
      return mergeByScore(a, b, k);
    },
    async release(conv) {
      const entry = cubes.get(conv.id);
      cubes.delete(conv.id);
      for (const store of entry?.stores ?? []) await store.close();
    },
  };
}

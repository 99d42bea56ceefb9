import { ConfigError } from "../../core/errors/config-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { type ChatMessage, type ChatSession, FastMemReader } from "../../reader/index.js";
import { dropCovered, packTurns } from "../../retrieve/coverage.js";
import {
  type FeedbackSettings,
  feedbackPoolSize,
  feedbackSearch,
  neighbourListWeight,
  resolveFeedbackSettings,
} from "../../retrieve/feedback.js";
import { informativeHits } from "../../retrieve/informative.js";
import {
  analyzeQuery,
  boostByQuery,
  PREFERENCE_CANDIDATES,
  preferenceList,
  preferenceOnly,
  questionTopic,
} from "../../retrieve/query-analysis.js";
import { requireQuery } from "../../retrieve/rank-order.js";
import { fuseRrf } from "../../retrieve/rrf.js";
import { focusOnNamedSpeaker } from "../../retrieve/speaker-focus.js";
import { freshMessages, type IngestResult, ingestResult, tagItems } from "./ingest-keys.js";
import { materialize, requireReferenceTime, requireTopK, temporalFactor } from "./item-ops.js";
import { activeFilter, StoreBackedTextMemory } from "./store-backed.js";
import type { AddContext, MemoryInput, SearchHit, TextMemory, TextSearchOptions } from "./types.js";

/** Options of {@link GeneralTextMemory}: the store and the embedder it uses. */
export interface GeneralTextMemoryOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Turns messages and documents into items; the fast reader by default. */
  reader?: FastMemReader;
  /** Candidates fetched per recall path before fusion: max(topK × this, 50). Default 5. */
  candidateFactor?: number;
  /**
   * Pseudo-relevance feedback, as in the tree searcher: RRF weight of the candidates re-ranked
   * by BM25 on the query plus the words the best hits share. Default 0.5; 0 turns it off.
   */
  feedbackWeight?: number;
  /** Least similarity of a query word's neighbour in that re-ranking (see SearcherOptions). */
  neighbourThreshold?: number;
  /** RRF weight of the neighbour re-ranking (default 1). */
  neighbourWeight?: number;
}

/**
 * Vector + keyword textual memory (MemOS's GeneralTextMemory) over any MemoryStore. Search is
 * hybrid: cosine KNN and BM25 run side by side and are fused with reciprocal rank fusion, so a
 * query finds its memory whether it shares the words or only the meaning.
 *
 * @example
 * const mem = new GeneralTextMemory({
 *   store: await createSqliteMemoryStore({ path: "cube.db" }),
 *   embedder: await createGloveEmbedder(),
 * });
 * await mem.addMessages([{ role: "user", content: "I adopted a puppy called Rex", chat_time: "2025-05-08T10:00:00Z" }]);
 * const [hit] = await mem.search("what is the name of my dog?");
 */
export class GeneralTextMemory extends StoreBackedTextMemory implements TextMemory {
  readonly reader: FastMemReader;
  private readonly candidateFactor: number;
  private readonly feedback: FeedbackSettings;

  constructor(options: GeneralTextMemoryOptions) {
    super(options.store, options.embedder);
    this.reader = options.reader ?? new FastMemReader();
    this.candidateFactor = options.candidateFactor ?? 5;
    this.feedback = resolveFeedbackSettings(options);
  }

  /** Embed and store items; all of them commit together or none does. */
  async add(inputs: MemoryInput[], context: AddContext = {}): Promise<TextualMemoryItem[]> {
    return this.storeItems(materialize(inputs, context), context);
  }

  /**
   * Read a conversation into memories (fast mode: token windows, no LLM) and store them.
   * Messages the memory already holds are skipped (see ingest-keys.ts); the result's
   * `alreadyStored` says how many.
   */
  async addMessages(messages: ChatMessage[], context: AddContext = {}): Promise<IngestResult> {
    if (context.mode === "fine") {
      throw new ConfigError({
        message: "fine mode needs an LLM and the tree memory",
        hint: 'use mode "fast" with GeneralTextMemory, or TreeTextMemory with an LLM configured',
      });
    }
    const { fresh, alreadyStored, keyOf } = await freshMessages(this.store, messages, context.sessionId);
    const items = fresh.length > 0 ? tagItems(await this.reader.readChat(fresh, context), keyOf) : [];
    return ingestResult(await this.storeItems(items, context), alreadyStored);
  }

  /**
   * Read several chat sessions (each with its own session id and time) and store them all in
   * one transaction: a bad session anywhere means nothing is written.
   */
  async addChatSessions(sessions: ChatSession[], context: AddContext = {}): Promise<IngestResult> {
    const items: TextualMemoryItem[] = [];
    let alreadyStored = 0;
    for (const s of sessions) {
      const ctx = { ...context, sessionId: s.session_id ?? context.sessionId };
      const read = await freshMessages(this.store, s.messages, ctx.sessionId);
      alreadyStored += read.alreadyStored;
      if (read.fresh.length > 0)
        items.push(...tagItems(await this.reader.readChat(read.fresh, ctx), read.keyOf));
    }
    return ingestResult(await this.storeItems(items, context), alreadyStored);
  }

  /** Chunk a text or Markdown document into memories with `doc_path` provenance. */
  async addDocument(
    text: string,
    options: Parameters<FastMemReader["readDocument"]>[1] = {},
    context: AddContext = {},
  ): Promise<TextualMemoryItem[]> {
    return this.storeItems(await this.reader.readDocument(text, options, context), context);
  }

  async search(query: string, options: TextSearchOptions = {}): Promise<SearchHit[]> {
    const q = questionTopic(requireQuery(query));
    const k = requireTopK(options);
    const ref = requireReferenceTime(options.referenceTime);
    const filter = activeFilter(options);
    const candidates = Math.max(k * this.candidateFactor, 50);
    const [vector] = await this.embedder.doEmbed([q]);
    const seeksPreference = analyzeQuery(q).seeksPreference;
    const [byVector, byKeyword, byPreference] = await Promise.all([
      vector ? this.store.vectorSearch(vector, { k: candidates, filter }) : [],
      this.store.keywordSearch(q, { k: candidates, filter }).then(informativeHits),
      // A request for advice: the user's stated preferences, by similarity, as a list of their own.
      vector && seeksPreference
        ? this.store.vectorSearch(vector, { k: PREFERENCE_CANDIDATES, filter: preferenceOnly(filter) })
        : [],
    ]);
    const loaded = new Map<string, TextualMemoryItem>();
    const { weight, neighbours } = this.feedback;
    const expanded =
      weight > 0 || neighbours
        ? await feedbackSearch({
            store: this.store,
            query: q,
            lists: [byKeyword, byVector],
            pool: [byKeyword, byVector],
            poolSize: feedbackPoolSize(k),
            prf: weight > 0 && byKeyword.length > 0,
            loaded,
            neighbours,
          })
        : { feedback: [], neighbours: [] };
    const fused = fuseRrf([
      { path: "vector" as const, results: byVector },
      { path: "keyword" as const, results: byKeyword },
      { path: "keyword" as const, results: expanded.feedback, weight },
      {
        path: "keyword" as const,
        results: expanded.neighbours,
        weight: neighbourListWeight(this.feedback, [byKeyword]),
      },
      preferenceList(byPreference),
    ]);
    // Without a reference time nothing re-ranks, so only the head needs loading; more follows
    // only when covered results (a turn inside a better window, or the reverse) leave fewer than k.
    let hits: SearchHit[] = [];
    let done = 0;
    while (done < fused.length) {
      const next = ref === undefined ? Math.min(fused.length, done + Math.max(k * 2, 20)) : fused.length;
      const wanted = fused.slice(done, next);
      done = next;
      const missing = wanted.map((f) => f.id).filter((id) => !loaded.has(id));
      if (missing.length > 0)
        for (const item of await this.store.getItems(missing)) loaded.set(item.id, item);
      for (const f of wanted) {
        const item = loaded.get(f.id);
        if (!item) continue;
        const factor = ref === undefined ? 1 : temporalFactor(item, ref);
        if (factor > 0) hits.push({ item, score: f.score * factor, paths: f.paths });
      }
      if (dropCovered(hits, (h) => h.item).length >= k) break;
    }
    hits = boostByQuery(q, hits, (h) => h.item);
    hits = focusOnNamedSpeaker(
      q,
      hits,
      (h) => h.item,
      (h, item) => ({ ...h, item }),
    );
    return packTurns(
      hits,
      (h) => h.item,
      (h, item) => ({ ...h, item }),
    ).slice(0, k);
  }
}

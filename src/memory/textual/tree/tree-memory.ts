import { ConfigError } from "../../../core/errors/config-error.js";
import { errorMessage } from "../../../core/errors/error-message.js";
import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import { logger } from "../../../core/logger.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { MemoryReorganizer, sumStructureReports } from "../../../organize/reorganizer.js";
import type { StructureOptions, StructureReport } from "../../../organize/types.js";
import { FineMemReader, type FineReaderOptions, type FineReadReport } from "../../../reader/fine-reader.js";
import {
  type ChatMessage,
  type ChatSession,
  type DocumentReadOptions,
  FastMemReader,
} from "../../../reader/index.js";
import { loadDocumentFile } from "../../../reader/parsers/load.js";
import { Searcher } from "../../../retrieve/searcher.js";
import type { RelevantSubgraph, TreeSearchOptions, TreeSearchResult } from "../../../retrieve/types.js";
import { freshMessages, tagItems } from "../ingest-keys.js";
import { materialize } from "../item-ops.js";
import { StoreBackedTextMemory } from "../store-backed.js";
import type { AddContext, MemoryInput, SearchHit, TextMemory, UpdatePatch } from "../types.js";
import { type AfterCommitDeps, afterCommit, type Read, warnStep } from "./after-commit.js";
import { type MemoryCapacities, resolveCapacities } from "./capacities.js";
import { type EvictedMemory, evictOverCapacity } from "./eviction.js";
import type { TreeAddReport, TreeAddResult, TreeTextMemoryOptions, UpgradeReport } from "./types.js";
import { upgradeFastNodes } from "./upgrade.js";
import { recordUsage, withUsage } from "./usage.js";
import { dropWorkingCopies, refreshWorkingCopies, workingMemoryItems } from "./working-memory.js";

/**
 * RRF weights of the recall paths in a tree memory. Working memory and the graph add evidence
 * for every query, relevant or not: at the Searcher's own weights (1 and 0.5) the last session's
 * memories and the neighbours of the best hits crowd out the answer (LoCoMo evidence recall at
 * 1,000 tokens fell from 0.726 to 0.643). At 0.1 each they break ties instead, and recall is at
 * least that of vector + BM25 alone (0.729–0.733; see bench/locomo, fast mode, GloVe).
 */
export const TREE_PATH_WEIGHTS = Object.freeze({ working: 0.1, vector: 1, keyword: 1, graph: 0.1 });

/**
 * MemOS's tree textual memory over any MemoryStore: a graph of memories typed WorkingMemory /
 * LongTermMemory / UserMemory, with capacities, eviction by value, usage tracking, fast → fine
 * upgrades and a reorganizer that merges duplicates and resolves conflicts as memories arrive.
 *
 * An add goes: read (fast windows, or LLM extraction in fine mode) → embed → ONE transaction →
 * reorganizer.integrate → working memory → capacity eviction. Only the commit can fail the add;
 * the steps after it are reported in the result's `report.warnings` (and logged), never lost.
 *
 * @example
 * const mem = new TreeTextMemory({
 *   store: await createSqliteMemoryStore({ path: "cube.db" }),
 *   embedder: await createGloveEmbedder(),
 *   llm, // optional: fine mode, LLM merges and summaries
 * });
 * const added = await mem.addMessages([{ role: "user", content: "I moved to Lisbon", chat_time: "2025-05-08T10:00:00Z" }]);
 * added.report.reorganize?.merged; // 0
 * const hits = await mem.search("where do I live?", { topK: 5 });
 */
export class TreeTextMemory extends StoreBackedTextMemory implements TextMemory {
  readonly reader: FastMemReader;
  readonly llm: LanguageModel | undefined;
  readonly capacities: Readonly<MemoryCapacities>;
  readonly searcher: Searcher;
  readonly reorganizer: MemoryReorganizer;
  private readonly reorganizeOnAdd: boolean;
  private readonly autoUpgrade: boolean;
  private fine: FineMemReader | undefined;
  private readonly fineOptions: Omit<FineReaderOptions, "llm">;
  private readonly searchDefaults: TreeSearchOptions;

  constructor(options: TreeTextMemoryOptions) {
    super(options.store, options.embedder);
    this.reader = options.reader ?? new FastMemReader();
    this.llm = options.llm;
    this.capacities = Object.freeze(resolveCapacities(options.capacities));
    this.reorganizeOnAdd = options.reorganize ?? true;
    this.autoUpgrade = options.autoUpgrade ?? false;
    this.fineOptions = options.fine ?? {};
    this.searchDefaults = options.searchDefaults ?? {};
    this.searcher = new Searcher({
      ...options.searcher,
      pathWeights: { ...TREE_PATH_WEIGHTS, ...options.searcher?.pathWeights },
      store: this.store,
      embedder: this.embedder,
      llm: options.llm,
      reranker: options.reranker,
      workingMemory: () => workingMemoryItems(this.store),
    });
    this.reorganizer = new MemoryReorganizer({
      ...options.reorganizer,
      store: this.store,
      embedder: this.embedder,
      llm: options.llm,
    });
  }

  /**
   * Add memories as given (no reading); then integrate, working memory, eviction.
   *
   * @example
   * const added = await mem.add(["Ana likes jazz"], { userId: "ana" });
   * added.report.warnings; // [] unless a step after the commit failed
   */
  async add(inputs: MemoryInput[], context: AddContext = {}): Promise<TreeAddResult> {
    return this.commitAndOrganize(
      { mode: "fast", items: materialize(inputs, context), fallbacks: 0 },
      context,
    );
  }

  /**
   * Read a conversation (fast: token windows; fine: LLM extraction) and add the memories.
   *
   * @example
   * await mem.addMessages(messages, { userId: "u1", sessionId: "s1", mode: "fine" }); // ConfigError without an llm
   */
  async addMessages(messages: ChatMessage[], context: AddContext = {}): Promise<TreeAddResult> {
    return this.addSessions([{ session_id: context.sessionId, messages }], context);
  }

  /**
   * Several sessions (each with its own id), read first and committed in ONE transaction.
   *
   * @example
   * await mem.addChatSessions(parseChatSessions(json), { userId: "u1" });
   */
  async addChatSessions(sessions: ChatSession[], context: AddContext = {}): Promise<TreeAddResult> {
    return this.addSessions(sessions, context);
  }

  /** Messages already stored are skipped (`report.alreadyStored`, see ingest-keys.ts). */
  private async addSessions(sessions: ChatSession[], context: AddContext): Promise<TreeAddResult> {
    const all: Read = { mode: context.mode ?? "fast", items: [], fallbacks: 0 };
    let alreadyStored = 0;
    for (const s of sessions) {
      const ctx = { ...context, sessionId: s.session_id ?? context.sessionId };
      const {
        fresh,
        keyOf,
        alreadyStored: skipped,
      } = await freshMessages(this.store, s.messages, ctx.sessionId);
      alreadyStored += skipped;
      if (fresh.length === 0) continue;
      const read = await this.read(
        ctx,
        () => this.reader.readChat(fresh, ctx),
        (fine) => fine.readChatReport(fresh, ctx),
      );
      all.items.push(...tagItems(read.items, keyOf));
      all.fallbacks += read.fallbacks;
    }
    const result = await this.commitAndOrganize(all, context);
    result.report.alreadyStored = alreadyStored;
    return result;
  }

  /**
   * Chunk a document (md, txt, html; PDF text) into memories with `doc_path` provenance; in fine
   * mode the LLM extracts facts per chunk (a chunk it fails on is kept as fast chunks).
   *
   * @example
   * await mem.addDocument(markdown, { docPath: "notes.md" }, { userId: "u1" });
   */
  async addDocument(
    text: string,
    options: DocumentReadOptions = {},
    context: AddContext = {},
  ): Promise<TreeAddResult> {
    const read = await this.read(
      context,
      () => this.reader.readDocument(text, options, context),
      (fine) => fine.readDocumentReport(text, options, context),
    );
    return this.commitAndOrganize(read, context);
  }

  /**
   * Read a .txt / .md / .html / .pdf file and add it as `addDocument` does.
   *
   * @example
   * await mem.addDocumentFile("handbook.pdf", { cubeId: "c1" });
   */
  async addDocumentFile(path: string, context: AddContext = {}): Promise<TreeAddResult> {
    const read = await this.read(
      context,
      () => this.reader.readDocumentFile(path, context),
      async (fine) => {
        const doc = await loadDocumentFile(path);
        return fine.readDocumentReport(doc.text, { docPath: doc.path, format: doc.format }, context);
      },
    );
    return this.commitAndOrganize(read, context);
  }

  /**
   * Search (see the Searcher: working memory, vector, BM25 and graph paths fused, reranked,
   * deduplicated), and record the retrieval in each hit's `metadata.usage`.
   *
   * @example
   * const hits = await mem.search("where does Ana live?", { topK: 5, referenceTime: "2025-06-01" });
   */
  async search(query: string, options: TreeSearchOptions = {}): Promise<SearchHit[]> {
    return (await this.searchDetailed(query, options)).hits;
  }

  /**
   * `search` with the parsed query, per-stage timings and warnings.
   *
   * @example
   * const { hits, timings, warnings } = await mem.searchDetailed("Ana's plans", { mode: "fine" });
   */
  async searchDetailed(query: string, options: TreeSearchOptions = {}): Promise<TreeSearchResult> {
    const merged = { ...this.searchDefaults, ...options };
    if (merged.mode === "fine") this.requireLlm("fine search");
    const result = await this.searcher.search(query, merged);
    if (result.hits.length === 0) return result;
    try {
      const written = await recordUsage(
        this.store,
        result.hits.map((h) => h.item.id),
        result.query.original,
      );
      return { ...result, hits: withUsage(result.hits, written) };
    } catch (error) {
      // The hits are right even if the bookkeeping failed: return them, and say so.
      logger.warn({ err: error }, "tree memory: recording usage failed");
      return { ...result, warnings: [...result.warnings, `usage not recorded: ${errorMessage(error)}`] };
    }
  }

  /**
   * Nodes within `depth` hops of the best hits for `query`, and the edges among them (for the UI).
   *
   * @example
   * const { nodes, edges, seeds } = await mem.getRelevantSubgraph("Ana's trip", 2);
   */
  async getRelevantSubgraph(
    query: string,
    depth = 2,
    options: { topK?: number } = {},
  ): Promise<RelevantSubgraph> {
    return this.searcher.getRelevantSubgraph(query, { depth, topK: options.topK });
  }

  /**
   * The activated memories in working memory, newest first (sources, not copies).
   *
   * @example
   * (await mem.workingMemory()).length; // at most capacities.working
   */
  async workingMemory(): Promise<TextualMemoryItem[]> {
    return workingMemoryItems(this.store);
  }

  /**
   * Upgrade fast-mode nodes to fine ones with the LLM: each successful node is soft-deleted
   * (status "deleted", `evolve_to` = its successors, history `{update_type: "upgrade"}`) in the
   * same transaction that stores its successors. Nodes whose extraction fell back to fast stay.
   *
   * @example
   * const { upgraded, untouched } = await mem.upgradeFastNodes({ limit: 50 });
   */
  async upgradeFastNodes(options: { limit?: number; ids?: string[] } = {}): Promise<UpgradeReport> {
    const report = await upgradeFastNodes(
      {
        store: this.store,
        reader: this.fineReader("upgrading fast nodes"),
        embed: (items) => this.embedItems(items),
      },
      options,
    );
    const successors = report.upgraded.flatMap((u) => u.to);
    if (successors.length > 0) {
      // Successors take their fast node's place in working memory rather than entering as new.
      const items = await this.store.getItems(successors);
      await afterCommit(this.afterCommitDeps, items, report.warnings, { enterWorking: false });
    }
    return report;
  }

  /**
   * Build topic summaries (PARENT nodes), relation and FOLLOWS edges (needs an LLM for
   * summaries), for `options.memoryType`, or for LongTermMemory and then UserMemory.
   *
   * @example
   * const { parentIds, clusters } = await mem.reorganize();
   */
  async reorganize(options: StructureOptions = {}): Promise<StructureReport & { evicted: EvictedMemory[] }> {
    const types = options.memoryType !== undefined ? [options.memoryType] : ["LongTermMemory", "UserMemory"];
    const reports: StructureReport[] = [];
    for (const memoryType of types)
      reports.push(await this.reorganizer.optimizeStructure({ ...options, memoryType }));
    // Summaries are memories of their type: capacities hold after a reorganize as after an add.
    const evicted = await evictOverCapacity(this.store, this.capacities);
    return { ...sumStructureReports(reports), evicted };
  }

  /**
   * Change a memory (history entry, version bump, new vector when the text changes); its
   * working-memory copies follow.
   *
   * @example
   * await mem.update(id, { memory: "Ana lives in Porto" }); // version 2, v1 text in history
   */
  override async update(id: string, patch: UpdatePatch, updateType = "update"): Promise<TextualMemoryItem> {
    const next = await super.update(id, patch, updateType);
    try {
      await refreshWorkingCopies(this.store, next);
    } catch (error) {
      logger.warn({ err: error, id }, "tree memory: working-memory copies not refreshed after an update");
    }
    return next;
  }

  /**
   * Hard delete, with vectors, edges and working-memory copies. Returns how many memories existed.
   *
   * @example
   * await mem.delete([id]); // 1
   */
  override async delete(ids: string[]): Promise<number> {
    const n = await super.delete(ids);
    await dropWorkingCopies(this.store, ids);
    return n;
  }

  private requireLlm(what: string): LanguageModel {
    if (!this.llm) {
      throw new ConfigError({
        message: `${what} needs an LLM, and this tree memory has none`,
        hint: "pass llm to TreeTextMemory, or set MEMOS_LLM (e.g. MEMOS_LLM=openai:gpt-4o-mini, ollama:qwen2.5, llama-cpp:/path/model.gguf)",
      });
    }
    return this.llm;
  }

  private fineReader(what = "fine mode"): FineMemReader {
    this.fine ??= new FineMemReader({ ...this.fineOptions, llm: this.requireLlm(what) });
    return this.fine;
  }

  /** Read in the context's mode: the fast reader, or the fine reader with its fallback count. */
  private async read(
    context: AddContext,
    fast: () => TextualMemoryItem[] | Promise<TextualMemoryItem[]>,
    fine: (reader: FineMemReader) => Promise<FineReadReport>,
  ): Promise<Read> {
    if (context.mode !== "fine") return { mode: "fast", items: await fast(), fallbacks: 0 };
    const report = await fine(this.fineReader());
    return { mode: "fine", items: report.items, fallbacks: report.fallbacks.length };
  }

  private get afterCommitDeps(): AfterCommitDeps {
    return {
      store: this.store,
      reorganizer: this.reorganizer,
      capacities: this.capacities,
      reorganizeOnAdd: this.reorganizeOnAdd,
    };
  }

  /** Commit the items (ONE transaction), then the steps that must not fail the add. */
  private async commitAndOrganize(read: Read, context: AddContext): Promise<TreeAddResult> {
    const { mode, items, fallbacks } = read;
    const added = await this.storeItems(items, context);
    const report: TreeAddReport = {
      mode,
      added: added.length,
      fineFallbacks: fallbacks,
      evicted: [],
      warnings: [],
    };
    if (fallbacks > 0) {
      // Nothing is lost (those windows are stored as fast items), but the caller asked for fine.
      report.warnings.push(
        `fine extraction fell back to fast items for ${fallbacks} window(s) (model failed or found nothing); upgradeFastNodes() retries them`,
      );
    }
    const result = Object.assign(added, { report }) as TreeAddResult;
    if (added.length === 0) return result;
    Object.assign(report, await afterCommit(this.afterCommitDeps, added, report.warnings));
    if (mode === "fast" && this.autoUpgrade && this.llm) {
      try {
        report.upgrade = await this.upgradeFastNodes({ ids: added.map((i) => i.id) });
        report.warnings.push(...report.upgrade.warnings);
      } catch (error) {
        warnStep(report.warnings, "fine upgrade", error);
      }
    }
    return result;
  }
}

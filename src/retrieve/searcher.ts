import { ConfigError } from "../core/errors/config-error.js";
import { errorMessage } from "../core/errors/error-message.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { Reranker } from "../core/interfaces/reranker.js";
import type { MemoryStore, ScoredId } from "../core/interfaces/store.js";
import { isZeroVector } from "../core/math/vector.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { packTurns } from "./coverage.js";
import { type Candidate, cachedNormalizer, dedupCandidates, limitPerType, mergeSame } from "./dedup.js";
import { feedbackPoolSize, feedbackSearch, neighbourListWeight } from "./feedback.js";
import { informativeHits } from "./informative.js";
import { type ResolvedSearchOptions, resolveSearchOptions } from "./options.js";
import { displaceByWorking, type Ranked } from "./paths.js";
import {
  analyzeQuery,
  boostByQuery,
  PREFERENCE_CANDIDATES,
  preferenceList,
  preferenceOnly,
  questionTopic,
} from "./query-analysis.js";
import { parseFast, parseFine } from "./query-parse.js";
import { byScore, requireQuery } from "./rank-order.js";
import { type RecallDeps, recallGraph, recallWorking, time } from "./recall.js";
import { blendRerank, type RankContext } from "./rerank-blend.js";
import { type FusedResult, fuseRrf, type RankedList } from "./rrf.js";
import { resolveSearcherSettings, type SearcherSettings } from "./searcher-settings.js";
import { focusOnNamedSpeaker } from "./speaker-focus.js";
import { relevantSubgraph } from "./subgraph.js";
import { temporalFactor } from "./temporal.js";
import type {
  ParsedQuery,
  RecallPath,
  RelevantSubgraph,
  SearcherOptions,
  SearchHit,
  SubgraphOptions,
  TreeSearchOptions,
  TreeSearchResult,
} from "./types.js";
import { VectorLookup } from "./vectors.js";

const RRF_K = 60;
/** Candidates per store path checked for key/tag matches in fast mode. */

/**
 * The tree memory's searcher (MemOS `Searcher`): parse the query (fast: as is; fine: an LLM
 * task-goal parse), recall from working memory, vector KNN, BM25 and the graph in parallel, fuse
 * with reciprocal rank fusion, weight by time when a reference time is given, rerank, merge
 * duplicates (same id, same text, then near-duplicates by `sim` or `mmr`), apply the relativity
 * threshold, per-type and overall top-k. The filter DSL and the status check run inside every
 * store query, so an excluded item can never surface through any path.
 *
 * Scores: the fused RRF score is divided by its best possible value (rank 1 on every path that
 * returned something), so it lies in [0, 1]; the temporal factor multiplies it by up to 1.2;
 * with rerank, score = (1 − w)·fused + w·reranker, the reranker's scores min-max normalised over
 * the reranked candidates (all equal → 1), w = rerankWeight (0.7). Candidates beyond rerankTopN
 * get (1 − w)·fused. The relativity threshold is applied to this final score, before dedup.
 *
 * @example
 * const searcher = new Searcher({ store, embedder: await createGloveEmbedder() });
 * const { hits } = await searcher.search("where does Alice live?", { topK: 5, filter: { user_id: "alice" } });
 * for (const h of hits) console.log(h.score.toFixed(3), h.paths.join("+"), h.item.memory);
 */
export class Searcher {
  readonly store: MemoryStore;
  readonly embedder: Embedder;
  readonly llm: LanguageModel | undefined;
  readonly reranker: Reranker | undefined;
  private readonly workingMemory: (() => Promise<TextualMemoryItem[]>) | undefined;
  private readonly vectors: VectorLookup;
  private readonly settings: SearcherSettings;
  private readonly normalize = cachedNormalizer();

  constructor(options: SearcherOptions) {
    if (!options?.store || !options.embedder) {
      throw new ConfigError({
        message: "Searcher needs a store and an embedder",
        hint: "new Searcher({ store, embedder })",
      });
    }
    this.store = options.store;
    this.embedder = options.embedder;
    this.llm = options.llm;
    this.reranker = options.reranker;
    this.workingMemory = options.workingMemory;
    this.settings = resolveSearcherSettings(options);
    this.vectors = new VectorLookup(this.store, this.embedder);
    const dims = this.store.dimensions;
    if (dims !== undefined && dims !== this.embedder.dimensions) {
      throw new ConfigError({
        message: `the store holds ${dims}-d vectors but the embedder "${this.embedder.modelId}" makes ${this.embedder.dimensions}-d ones`,
        hint: "use the embedder the cube was built with, or dump and load the cube to re-embed it",
      });
    }
  }

  private get recallDeps(): RecallDeps {
    return {
      store: this.store,
      vectors: this.vectors,
      workingMemory: this.workingMemory,
      fastKeyTagLookup: this.settings.fastKeyTagLookup,
      graphSeeds: this.settings.graphSeeds,
      graphEdgeTypes: this.settings.graphEdgeTypes,
    };
  }

  /**
   * Search the memories. Throws InvalidInputError for a bad query or options, ConfigError for
   * fine mode without an LLM, and whatever the store throws (a broken store is never an empty
   * result). An LLM parse failure, a reranker failure or a failing working-memory source degrade
   * the search instead, each with a line in `warnings`.
   *
   * @example
   * const r = await searcher.search("what did Maya cook?", { mode: "fine", referenceTime: "2025-05-08", dedup: "sim" });
   * r.hits[0]?.paths; // e.g. ["vector", "keyword"]
   * r.warnings;       // [] when nothing degraded
   */
  async search(query: string, options: TreeSearchOptions = {}): Promise<TreeSearchResult> {
    const start = performance.now();
    const timings: Record<string, number> = {};
    const warnings: string[] = [];
    const q = requireQuery(query);
    const opts = resolveSearchOptions(options);
    const signal = options.signal;
    signal?.throwIfAborted();

    const parsed = await this.parse(q, opts, timings, warnings, signal);
    const k = Math.max(opts.topK * this.settings.candidateFactor, this.settings.minCandidates);
    const queries = parsed.rephrased ? [parsed.original, parsed.rephrased] : [parsed.original];

    // The query is embedded (one call, with its rephrasing) while BM25 runs: BM25 needs no
    // vector, and a remote embedder takes a while. The embedder is called first so that an
    // in-process one is timed on its own, not behind the synchronous SQLite keyword search.
    const wantVectors = opts.paths.has("vector") || opts.paths.has("working") || opts.paths.has("graph");
    const embedP = wantVectors
      ? time(timings, "embed", () => this.embedder.doEmbed(queries, { signal }))
      : Promise.resolve([]);
    const keywordP: Promise<ScoredId[][]> = opts.paths.has("keyword")
      ? time(timings, "keyword", () =>
          Promise.all(
            queries.map(async (text) =>
              informativeHits(await this.store.keywordSearch(text, { k, filter: opts.filter })),
            ),
          ),
        )
      : Promise.resolve([]);
    keywordP.catch(() => {}); // awaited below; this only keeps an embedder error from leaving it unhandled

    // A query the embedder has no vector for (all zeros) skips the vector-based paths, with a warning.
    let queryVectors = await embedP;
    const usable = queryVectors.filter((v) => !isZeroVector(v));
    if (usable.length < queryVectors.length) {
      warnings.push(
        usable.length === 0
          ? "the embedder gave a zero vector for the query: the vector and working paths and the graph path's seeds were skipped"
          : "the embedder has no vector for the rephrased query: its vector search was skipped",
      );
    }
    queryVectors = usable;
    const mainVector = queryVectors[0];
    const loaded = new Map<string, TextualMemoryItem>();

    // The graph path seeds from the vector hits, so the vector search runs for it too.
    const vectorP: Promise<Ranked[][]> =
      (opts.paths.has("vector") || opts.paths.has("graph")) && queryVectors.length > 0
        ? time(timings, "vector", () =>
            Promise.all(queryVectors.map((v) => this.store.vectorSearch(v, { k, filter: opts.filter }))),
          )
        : Promise.resolve([]);
    // A request for advice also recalls the user's stated preferences, as a list of their own.
    const preferenceP: Promise<ScoredId[]> =
      opts.paths.has("vector") &&
      mainVector &&
      analyzeQuery(parsed.rephrased ?? parsed.original).seeksPreference
        ? this.store.vectorSearch(mainVector, {
            k: PREFERENCE_CANDIDATES,
            filter: preferenceOnly(opts.filter),
          })
        : Promise.resolve([]);
    const workingP: Promise<Ranked[]> =
      opts.paths.has("working") && this.workingMemory && mainVector
        ? recallWorking(this.recallDeps, mainVector, vectorP, opts, loaded, timings, warnings, signal)
        : Promise.resolve([]);
    const graphP: Promise<Ranked[]> = opts.paths.has("graph")
      ? recallGraph(this.recallDeps, parsed, vectorP, keywordP, opts, k, loaded, timings)
      : Promise.resolve([]);
    const [vectorLists, keywordLists, working, graph, preferences] = await time(timings, "recall", () =>
      Promise.all([vectorP, keywordP, workingP, graphP, preferenceP]),
    );
    signal?.throwIfAborted();
    // Pseudo-relevance feedback: BM25 again with the words the best hits share (off at weight 0):
    // LoCoMo recall @500 tokens 0.685 → 0.715, @1000 0.776 → 0.789 (reports/baseline/retrieval-issue15.md).
    const { feedback: fb } = this.settings;
    const expanded =
      (fb.weight > 0 || fb.neighbours) && opts.paths.has("keyword")
        ? await time(timings, "feedback", () =>
            feedbackSearch({
              store: this.store,
              query: parsed.original,
              lists: [...keywordLists, ...vectorLists],
              pool: [...keywordLists, ...vectorLists, working, graph],
              poolSize: feedbackPoolSize(opts.topK),
              prf: fb.weight > 0 && keywordLists.some((l) => l.length > 0),
              loaded,
              neighbours: fb.neighbours,
              signal,
            }),
          )
        : { feedback: [], neighbours: [] };
    const mainHits = vectorLists[0];
    if (mainHits && working.length > 0) vectorLists[0] = displaceByWorking(mainHits, working);

    const fuseStart = performance.now();
    const lists: RankedList<RecallPath>[] = [
      { path: "working", results: working, weight: this.settings.weights.working },
      ...(opts.paths.has("vector") ? vectorLists : []).map((results) => ({
        path: "vector" as const,
        results,
        weight: this.settings.weights.vector,
      })),
      ...keywordLists.map((results) => ({
        path: "keyword" as const,
        results,
        weight: this.settings.weights.keyword,
      })),
      { path: "graph", results: graph, weight: this.settings.weights.graph },
      { path: "keyword", results: expanded.feedback, weight: this.settings.weights.keyword * fb.weight },
      {
        path: "keyword",
        results: expanded.neighbours,
        weight: this.settings.weights.keyword * neighbourListWeight(fb, keywordLists),
      },
    ];
    if (preferences.length > 0) {
      const list = preferenceList(preferences);
      lists.push({ ...list, weight: (list.weight ?? 1) * this.settings.weights.vector });
    }
    const fused = fuseRrf(lists, RRF_K);
    const best = lists.reduce((s, l) => s + (l.results.length > 0 ? (l.weight ?? 1) / (RRF_K + 1) : 0), 0);
    timings.fuse = performance.now() - fuseStart;

    // Only the head of the fused list can make the result, so only it is loaded and ranked; the
    // rest follows only when drops (time, merges, dedup) leave fewer than topK hits.
    const ctx: RankContext = { parsed, opts, best, loaded, timings, warnings, signal, rerank: new Map() };
    const headSize =
      opts.referenceTime !== undefined || opts.perTypeTopK.size > 0
        ? fused.length
        : Math.max(opts.topK * 4, 40);
    let ranked = await this.rank(fused.slice(0, headSize), ctx);
    if (ranked.hits.length < opts.topK && fused.length > headSize && !ranked.thresholdCut) {
      ranked = await this.rank(fused, ctx);
    }
    const hits = ranked.hits;
    timings.total = performance.now() - start;
    // The query as asked: recall looked for its topic (questionTopic), usage records what was asked.
    return { hits, query: { ...parsed, original: q }, timings, warnings };
  }

  /**
   * The part of the graph around the best hits, for a UI: search (topK seeds, default 5), then
   * every node within `depth` hops (default 2) and the edges among them. Nodes pass the caller's
   * filter and, unless includeInactive, the status check; seeds always do (they came from search).
   *
   * @example
   * const { nodes, edges, seeds } = await searcher.getRelevantSubgraph("Maya's trip", { depth: 2 });
   */
  async getRelevantSubgraph(query: string, options: SubgraphOptions = {}): Promise<RelevantSubgraph> {
    return relevantSubgraph(this, query, options);
  }

  private async parse(
    q: string,
    opts: ResolvedSearchOptions,
    timings: Record<string, number>,
    warnings: string[],
    signal: AbortSignal | undefined,
  ): Promise<ParsedQuery> {
    if (opts.mode === "fast") return parseFast(questionTopic(q));
    const llm = this.llm;
    if (!llm) {
      throw new ConfigError({
        message: "fine search needs an LLM to parse the query",
        hint: 'configure one (e.g. MEMOS_LLM=openai:gpt-4o-mini) or search with mode "fast"',
      });
    }
    const started = performance.now();
    try {
      return await parseFine(llm, q, {
        maxTokens: this.settings.parseMaxTokens,
        timeoutMs: this.settings.parseTimeoutMs,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const why = errorMessage(error);
      warnings.push(`fine query parse failed (${why}); searched with the query as is (fast mode)`);
      return parseFast(questionTopic(q));
    } finally {
      timings.parse = performance.now() - started;
    }
  }

  /** Load, weight by time, merge same id/text, rerank, threshold, dedup and limit `fused`. */
  private async rank(
    fused: FusedResult<RecallPath>[],
    ctx: RankContext,
  ): Promise<{ hits: SearchHit[]; thresholdCut: boolean }> {
    const { opts, loaded, timings } = ctx;
    const loadStart = performance.now();
    const missing = fused.map((f) => f.id).filter((id) => !loaded.has(id));
    if (missing.length > 0) for (const item of await this.store.getItems(missing)) loaded.set(item.id, item);
    timings.load = (timings.load ?? 0) + performance.now() - loadStart;

    let candidates: Candidate[] = [];
    for (const f of fused) {
      const item = loaded.get(f.id);
      if (!item) continue; // deleted between recall and load
      let score = ctx.best > 0 ? f.score / ctx.best : 0;
      if (opts.referenceTime !== undefined) {
        const factor = temporalFactor(item, opts.referenceTime);
        if (factor === 0) continue;
        score *= factor;
      }
      candidates.push({ item, score, paths: f.paths });
    }
    candidates.sort(byScore);
    candidates = boostByQuery(ctx.parsed.original, candidates, (c) => c.item);
    candidates = mergeSame(candidates, this.normalize);
    candidates = await blendRerank(candidates, ctx, this.reranker, this.settings);
    const before = candidates.length;
    candidates = candidates.filter((c) => c.score >= opts.threshold);
    const thresholdCut = candidates.length < before;
    const dedupStart = performance.now();
    candidates = await dedupCandidates(this.vectors, candidates, opts, ctx.signal);
    if (opts.dedup !== "no") {
      candidates = focusOnNamedSpeaker(
        ctx.parsed.original,
        candidates,
        (c) => c.item,
        (c, item) => ({ ...c, item }),
      );
      candidates = packTurns(
        candidates,
        (c) => c.item,
        (c, item) => ({ ...c, item }),
      );
    }
    timings.dedup = (timings.dedup ?? 0) + performance.now() - dedupStart;
    return { hits: limitPerType(candidates, opts), thresholdCut };
  }
}

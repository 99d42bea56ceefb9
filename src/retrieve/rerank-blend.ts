import { errorMessage } from "../core/errors/error-message.js";
import type { Reranker } from "../core/interfaces/reranker.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { Candidate } from "./dedup.js";
import type { ResolvedSearchOptions } from "./options.js";
import { byScore } from "./rank-order.js";
import type { SearcherSettings } from "./searcher-settings.js";
import type { ParsedQuery } from "./types.js";

/**
 * Blend reranker scores into the top rerankTopN candidates. Raw scores are kept in ctx.rerank,
 * so a second ranking pass over a longer list only sends documents not scored yet.
 */
export async function blendRerank(
  candidates: Candidate[],
  ctx: RankContext,
  reranker: Reranker | undefined,
  settings: Pick<SearcherSettings, "rerankTopN" | "rerankWeight">,
): Promise<Candidate[]> {
  const { opts, warnings, signal, timings } = ctx;
  const wanted = opts.rerank ?? reranker !== undefined;
  if (!wanted || candidates.length === 0 || ctx.rerankFailed) return candidates;
  if (!reranker) {
    warnings.push("rerank was asked for but the Searcher has no reranker; results are in fused order");
    ctx.rerankFailed = true;
    return candidates;
  }
  const n = settings.rerankTopN ?? Math.max(opts.topK * 3, 20);
  const head = candidates.slice(0, n);
  const todo = head.filter((c) => !ctx.rerank.has(c.item.id));
  if (todo.length > 0) {
    const started = performance.now();
    try {
      const scores = await reranker.doRerank(
        ctx.parsed.rephrased ?? ctx.parsed.original,
        todo.map((c) => c.item.memory),
        { signal },
      );
      if (scores.length !== todo.length || scores.some((s) => !Number.isFinite(s))) {
        throw new Error(`it returned ${scores.length} scores for ${todo.length} documents`);
      }
      for (const [i, c] of todo.entries()) ctx.rerank.set(c.item.id, scores[i] as number);
    } catch (error) {
      if (signal?.aborted) throw error;
      warnings.push(`rerank failed (${errorMessage(error)}); results are in fused order`);
      ctx.rerankFailed = true;
      return candidates;
    } finally {
      timings.rerank = (timings.rerank ?? 0) + performance.now() - started;
    }
  }
  const raw = head.map((c) => ctx.rerank.get(c.item.id) as number);
  const lo = Math.min(...raw);
  const hi = Math.max(...raw);
  const w = settings.rerankWeight;
  const out = candidates.map((c, i) => {
    const s = i < head.length ? raw[i] : undefined;
    const norm = s === undefined ? 0 : hi > lo ? (s - lo) / (hi - lo) : 1;
    return { ...c, score: (1 - w) * c.score + w * norm };
  });
  return out.sort(byScore);
}

/** What one search's ranking passes share. */
export interface RankContext {
  parsed: ParsedQuery;
  opts: ResolvedSearchOptions;
  /** The best possible fused score, to bring scores to [0, 1]. */
  best: number;
  loaded: Map<string, TextualMemoryItem>;
  timings: Record<string, number>;
  warnings: string[];
  signal: AbortSignal | undefined;
  /** Raw reranker scores by id. */
  rerank: Map<string, number>;
  rerankFailed?: boolean;
}

import { z } from "zod";
import type { LLMMessage } from "../../core/interfaces/language-model.js";

/** Scores the model gives: 0 (irrelevant) … 10 (answers the query). */
export const MIN_SCORE = 0;
export const MAX_SCORE = 10;

/**
 * What the model must return. `index` is the 1-based document number from the prompt; indices
 * outside the batch are ignored rather than rejected (a model miscounting one document should not
 * fail the whole batch), while a score outside 0..10 fails validation (then a repair turn).
 */
export const RerankScores = z.object({
  scores: z.array(
    z.object({
      index: z.number().int(),
      score: z.number().min(MIN_SCORE).max(MAX_SCORE),
    }),
  ),
});
export type RerankScores = z.output<typeof RerankScores>;

const SYSTEM =
  "You judge how relevant documents are to a search query. Rate every document from 0 (irrelevant) " +
  "to 10 (directly answers the query). Reply with JSON only: " +
  '{"scores": [{"index": <document number>, "score": <0-10>}, ...]}, one entry per document.';

/** The listwise prompt: the query, then the documents numbered from 1. */
export function rerankPrompt(query: string, documents: string[], maxDocChars: number): LLMMessage[] {
  const listed = documents
    .map((d, i) => {
      const text = d.length > maxDocChars ? `${d.slice(0, maxDocChars)}…` : d;
      return `[${i + 1}] ${text.replace(/\s+/g, " ").trim()}`;
    })
    .join("\n");
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: `Query: ${query}\n\nDocuments:\n${listed}\n\nScore all ${documents.length} documents.`,
    },
  ];
}

/**
 * Prompt and output schema for fine (LLM) extraction of facts from a document chunk.
 *
 * @module
 */
import { z } from "zod";
import type { LLMMessage } from "../../core/interfaces/language-model.js";
import { EXTRACTION_LIMITS as L } from "./extract-chat.js";

/** One fact the model extracted from a document chunk. */
export const DocMemory = z
  .object({
    key: z.string().min(1).max(L.keyChars).describe("short title, at most 8 words"),
    value: z.string().min(1).max(L.valueChars).describe("one self-contained fact"),
    tags: z.array(z.string().min(1).max(L.tagChars)).max(L.tags),
  })
  .strict();

/** What the model answers for a document chunk. */
export const DocExtraction = z
  .object({
    memories: z.array(DocMemory).max(L.memories),
    background: z
      .string()
      .max(L.backgroundChars)
      .describe("one sentence: what this part of the document is about"),
  })
  .strict();
export type DocExtraction = z.infer<typeof DocExtraction>;

export interface DocPromptInput {
  /** The chunk as the reader renders it: heading path line (if any), then the text. */
  text: string;
  docPath?: string;
  page?: number;
}

const SYSTEM = `You turn a part of a document into facts for a long-term memory store.

Rules:
1. Each fact must stand alone: replace "it", "this", "they" and similar with what they refer to, and name the subject (use the section heading when the text leaves it implicit).
2. One fact per memory. Keep concrete details (names, numbers, versions, commands, dates). Do not add anything the text does not say.
3. key: a short title of at most 8 words. tags: 1 to 5 lowercase topic words.
4. background: one sentence on what this part of the document is about.
5. If the text holds nothing worth remembering, answer with an empty "memories" list.

Answer with JSON only: {"memories": [{"key": "...", "value": "...", "tags": ["..."]}], "background": "..."}`;

/**
 * The messages for extracting facts from one document chunk.
 *
 * @example
 * buildDocExtractionPrompt({ text: "Setup > Install\nRun npm install.", docPath: "README.md" });
 */
export function buildDocExtractionPrompt(input: DocPromptInput): LLMMessage[] {
  const where = [
    input.docPath ? `Document: ${input.docPath}` : "Document: (unnamed)",
    ...(input.page !== undefined ? [`Page: ${input.page}`] : []),
  ].join("\n");
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: `${where}\n\nText:\n${input.text}\n\nExtract the facts.` },
  ];
}

import { ConfigError } from "../core/errors/config-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { MemCube } from "../cube/mem-cube.js";
import { freshMessages, tagItems } from "../memory/textual/ingest-keys.js";
import { TreeTextMemory } from "../memory/textual/tree/tree-memory.js";
import type { AddContext, SearchHit } from "../memory/textual/types.js";
import { FineMemReader } from "../reader/fine-reader.js";
import type { ChatMessage } from "../reader/index.js";
import { checkRequestSize } from "../reader/limits.js";
import { Searcher } from "../retrieve/searcher.js";
import type { TreeSearchOptions } from "../retrieve/types.js";

/** How to configure an LLM from the environment, in one line (what the CLI says). */
export const LLM_ENV_HINT =
  "set MEMOS_LLM, e.g. MEMOS_LLM=openai:gpt-4o-mini (with OPENAI_API_KEY), MEMOS_LLM=ollama:qwen2.5 or MEMOS_LLM=llama-cpp:/path/model.gguf";

/** The hint of every "needs an LLM" error from MOS: the environment, or the `llm` option. */
export const LLM_HINT = `${LLM_ENV_HINT}; or pass \`llm\` to MOS.open`;

/** What to add to a cube: chat messages, a memory text, or a document file (any combination). */
export interface AddInput {
  messages?: ChatMessage[];
  memoryContent?: string;
  docPath?: string;
}

/**
 * Add to one cube. A tree cube reads in either mode itself (fine needs its LLM); a general cube
 * reads fast itself, and in fine mode the MOS's LLM extracts first. Returns the stored items and
 * the warnings of steps after the commit (tree reorganization, ...).
 */
export async function addToCube(
  cube: MemCube,
  input: AddInput,
  context: AddContext,
  llm: LanguageModel | undefined,
): Promise<{ items: TextualMemoryItem[]; warnings: string[]; alreadyStored: number }> {
  const { messages, memoryContent, docPath } = input;
  if (!messages && memoryContent === undefined && docPath === undefined) {
    throw new InvalidInputError({
      message: "nothing to add",
      hint: "pass messages, memoryContent or docPath",
    });
  }
  if (memoryContent !== undefined && memoryContent.trim() === "") {
    throw new InvalidInputError({
      message: "memoryContent is empty",
      hint: 'e.g. memoryContent: "I like tea"',
    });
  }
  // Each reader checks its own input; one add of messages and a text together is one request.
  checkRequestSize([...(messages ?? []).map((m) => m?.content ?? ""), memoryContent ?? ""]);
  const items: TextualMemoryItem[] = [];
  const warnings: string[] = [];
  const text = cube.text;
  let alreadyStored = 0;
  if (text instanceof TreeTextMemory) {
    const collect = (r: TextualMemoryItem[] & { report: { warnings: string[]; alreadyStored?: number } }) => {
      items.push(...r);
      warnings.push(...r.report.warnings);
      alreadyStored += r.report.alreadyStored ?? 0;
    };
    if (messages) collect(await text.addMessages(messages, context));
    if (memoryContent !== undefined) {
      // Fine mode reads the text as a user turn (as MemOS does); fast mode stores it as given.
      collect(
        context.mode === "fine"
          ? await text.addMessages([{ role: "user", content: memoryContent }], context)
          : await text.add([memoryContent], context),
      );
    }
    if (docPath !== undefined) collect(await text.addDocumentFile(docPath, context));
    return { items, warnings, alreadyStored };
  }
  if (context.mode === "fine") {
    if (!llm)
      throw new ConfigError({ message: "fine mode needs an LLM, and none is configured", hint: LLM_HINT });
    const reader = new FineMemReader({ llm });
    const read: TextualMemoryItem[] = [];
    if (messages) {
      const {
        fresh,
        keyOf,
        alreadyStored: skipped,
      } = await freshMessages(text.store, messages, context.sessionId);
      alreadyStored = skipped;
      if (fresh.length > 0) read.push(...tagItems(await reader.readChat(fresh, context), keyOf));
    }
    if (memoryContent !== undefined)
      read.push(...(await reader.readChat([{ role: "user", content: memoryContent }], context)));
    if (docPath !== undefined) read.push(...(await reader.readDocumentFile(docPath, context)));
    // One add: every item commits together or none does.
    return { items: await text.add(read, context), warnings, alreadyStored };
  }
  if (messages) {
    const added = await text.addMessages(messages, context);
    items.push(...added);
    alreadyStored = added.alreadyStored;
  }
  if (memoryContent !== undefined) items.push(...(await text.add([memoryContent], context)));
  if (docPath !== undefined)
    items.push(...(await text.add(await text.reader.readDocumentFile(docPath, context), context)));
  return { items, warnings, alreadyStored };
}

/** Per-cube search options beyond top-k and mode (see TreeSearchOptions; general cubes use filter and referenceTime). */
export type CubeSearchOptions = Pick<
  TreeSearchOptions,
  "filter" | "referenceTime" | "dedup" | "threshold" | "rerank" | "memoryTypes"
>;

/**
 * Search one cube. Tree cubes search themselves (recording usage); a general cube in fine mode
 * gets the tree searcher over its store, with the MOS's LLM parsing the query.
 */
export async function searchCube(
  cube: MemCube,
  query: string,
  options: CubeSearchOptions & { topK: number; mode: "fast" | "fine"; llm: LanguageModel | undefined },
): Promise<{ hits: SearchHit[]; warnings: string[] }> {
  const { llm, ...search } = options;
  const text = cube.text;
  if (text instanceof TreeTextMemory) return text.searchDetailed(query, search);
  if (options.mode === "fast") {
    const hits = await text.search(query, search);
    return { hits: hits.filter((h) => h.score >= (search.threshold ?? 0)), warnings: [] };
  }
  if (!llm)
    throw new ConfigError({ message: "fine search needs an LLM, and none is configured", hint: LLM_HINT });
  return new Searcher({ store: text.store, embedder: text.embedder, llm }).search(query, search);
}

/** A hit as MemOS returns it: the item, its score in `metadata.relativity`, no embedding. */
export function hitItem(hit: SearchHit): TextualMemoryItem {
  const { embedding: _drop, ...metadata } = hit.item.metadata;
  return { ...hit.item, metadata: { ...metadata, relativity: hit.score } as TextualMemoryItem["metadata"] };
}

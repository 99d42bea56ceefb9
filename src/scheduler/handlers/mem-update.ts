import { z } from "zod";
import { errorMessage } from "../../core/errors/error-message.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { logger } from "../../core/logger.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import { updateWorkingMemory, workingMemoryItems } from "../../memory/textual/tree/working-memory.js";
import { tokenize } from "../../providers/bm25-reranker/bm25-tokenize.js";
import { generateObject } from "../../providers/shared/generate-object.js";
import type { TaskHandler } from "../types.js";
import { cubeOf, type HandlerDeps, payloadOf } from "./context.js";

/** Most queries one `mem_update` looks at. */
export const MAX_RECENT_QUERIES = 20;

/** `mem_update`: the user's recent queries, oldest first (MemOS batches them the same way). */
export const MemUpdatePayload = z.object({
  queries: z.array(z.string().trim().min(1).max(4000)).min(1).max(MAX_RECENT_QUERIES),
});

/** Keywords kept from the recent queries (MemOS's DEFAULT_MAX_QUERY_KEY_WORDS is of this order). */
export const MAX_QUERY_KEYWORDS = 8;

/** The intent check's answer: whether working memory lacks what the queries need, and what. */
const Intent = z.object({
  trigger_retrieval: z.boolean(),
  missing_evidences: z.array(z.string()).max(5).default([]),
});

const INTENT_PROMPT = `You manage the working memory of an assistant: the few memories it keeps at hand for the next turns.
Given the user's recent queries and the current working memory, decide whether working memory lacks what the next turns are
likely to need. If it does, list up to 5 short search phrases for the missing facts.
Answer with JSON: {"trigger_retrieval": boolean, "missing_evidences": [string]}.`;

/** What a `mem_update` task reports. */
export interface MemUpdateResult {
  keywords: string[];
  /** False when the intent check found working memory already holds what the queries need. */
  triggered: boolean;
  /** What was searched for. */
  evidences: string[];
  /** Source ids that entered working memory, and those that left it. */
  entered: string[];
  left: string[];
  warnings: string[];
}

/**
 * Working-memory refresh (MemOS's `mem_update`): from the user's recent queries, pick what the
 * next turns are likely to need (keywords; with an LLM, an intent check that may say nothing is
 * missing and name the missing evidence), search the cube for it, and put what it finds at the
 * front of WorkingMemory, within its capacity (the oldest copies leave). Tree cubes only: general
 * cubes keep no working memory.
 *
 * @example
 * await handler({ ...task, label: "mem_update", payload: { queries: ["what should I cook tonight?"] } }, context);
 */
export function memUpdateHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task) => {
    const { queries } = payloadOf(MemUpdatePayload, task);
    const cube = await cubeOf(mos, task, "write");
    const text = cube.text;
    if (!(text instanceof TreeTextMemory))
      throw new InvalidInputError({
        message: `cube ${task.cube_id} is not a tree cube: it keeps no working memory to refresh`,
        hint: "create the cube with --text tree_text",
      });
    const keywords = queryKeywords(queries);
    const result: MemUpdateResult = {
      keywords,
      triggered: true,
      evidences: [],
      entered: [],
      left: [],
      warnings: [],
    };
    let evidences = [queries.at(-1) as string, keywords.join(" ")];
    if (mos.llm) {
      try {
        const intent = await checkIntent(mos.llm, queries, await workingMemoryItems(text.store));
        if (!intent.trigger_retrieval) return { ...result, triggered: false };
        if (intent.missing_evidences.length > 0) evidences = intent.missing_evidences;
      } catch (error) {
        // The keywords still say what to look for: the refresh goes on without the check.
        logger.warn({ err: error, task: task.task_id }, "scheduler: mem_update intent check failed");
        result.warnings.push(`intent check failed (${errorMessage(error)}); searched by keywords`);
      }
    }
    result.evidences = [...new Set(evidences.map((e) => e.trim()).filter((e) => e !== ""))];
    const capacity = text.capacities.working;
    const perEvidence = Math.max(1, Math.floor(Math.min(capacity, 20) / result.evidences.length));
    const found = new Map<string, TextualMemoryItem>();
    for (const evidence of result.evidences) {
      // The searcher directly: a refresh is not a retrieval for the user, so no usage is recorded.
      const { hits } = await text.searcher.search(evidence, { topK: perEvidence, mode: "fast" });
      for (const h of hits) if (!found.has(h.item.id)) found.set(h.item.id, h.item);
    }
    // Oldest first: the best hit of the first evidence ends up newest, leaving last.
    const entering = [...found.values()].slice(0, capacity).reverse();
    const change = await updateWorkingMemory(text.store, entering, capacity);
    return { ...result, entered: change.entered, left: change.left };
  };
}

/**
 * The most frequent content words of the queries, the newest query's words first on ties.
 *
 * @example
 * queryKeywords(["where did Ana travel in May?", "and Ana's flight?"]); // ["ana", "flight", "travel", "may"]
 */
export function queryKeywords(queries: string[], max = MAX_QUERY_KEYWORDS): string[] {
  const score = new Map<string, { count: number; last: number }>();
  queries.forEach((q, i) => {
    for (const word of tokenize(q)) {
      if (word.length < 2 && !/\p{Script=Han}/u.test(word)) continue;
      const s = score.get(word) ?? { count: 0, last: -1 };
      score.set(word, { count: s.count + 1, last: i });
    }
  });
  return [...score.entries()]
    .sort((a, b) => b[1].count - a[1].count || b[1].last - a[1].last)
    .slice(0, max)
    .map(([w]) => w);
}

async function checkIntent(llm: LanguageModel, queries: string[], working: TextualMemoryItem[]) {
  const memories = working.map((w) => `- ${w.memory}`).join("\n") || "(empty)";
  const { object } = await generateObject(
    llm,
    [
      { role: "system", content: INTENT_PROMPT },
      {
        role: "user",
        content: `Recent queries:\n${queries.map((q) => `- ${q}`).join("\n")}\n\nWorking memory:\n${memories}\n\nDecide the working-memory intent.`,
      },
    ],
    Intent,
    { schemaName: "working_memory_intent", maxTokens: 256 },
  );
  return object;
}

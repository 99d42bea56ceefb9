import { z } from "zod";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import { recordUsage } from "../../memory/textual/tree/usage.js";
import type { TaskHandler } from "../types.js";
import { cubeOf, type HandlerDeps, payloadOf } from "./context.js";
import { MAX_RECENT_QUERIES, queryKeywords } from "./mem-update.js";

/** `query`: a user's query in a chat, with the queries before it in the session (oldest first). */
export const QueryPayload = z.object({
  query: z.string().trim().min(1).max(4000),
  session_id: z.string().optional(),
  history: z.array(z.string().trim().min(1).max(4000)).max(MAX_RECENT_QUERIES).default([]),
});

/** `answer`: the assistant's answer to a query, and the memories it cited. */
export const AnswerPayload = z.object({
  answer: z.string().max(100_000),
  query: z.string().max(4000).default(""),
  session_id: z.string().optional(),
  memory_ids: z.array(z.string().min(1)).max(100).default([]),
});

/**
 * `query` (MemOS's QueryHandler): records the query's keywords in the task log and hands the
 * session's recent queries on to `mem_update`, which refreshes working memory for the next turns
 * (tree cubes; a general cube keeps no working memory, so nothing follows).
 *
 * @example
 * await handler({ ...task, label: "query", payload: { query: "what did I plant?", history: [] } }, context);
 */
export function queryHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task, context) => {
    const { query, history } = payloadOf(QueryPayload, task);
    const cube = await cubeOf(mos, task, "read");
    const queries = [...history, query].slice(-MAX_RECENT_QUERIES);
    const out: { keywords: string[]; mem_update_task_id?: string } = { keywords: queryKeywords(queries) };
    if (cube.text instanceof TreeTextMemory) {
      const { task: next } = await context.submit({
        label: "mem_update",
        user_id: task.user_id,
        cube_id: task.cube_id,
        payload: { queries },
        idempotency_key: `mem_update:${task.task_id}`,
      });
      out.mem_update_task_id = next.task_id;
    }
    return out;
  };
}

/**
 * `answer` (MemOS's AnswerHandler logs the answer): the answer is kept in the task log, and each
 * memory it cited gets a usage entry ("answer: <query>"), so memories that actually answered
 * something rank higher in value (usage feeds eviction and the value score) than ones that were
 * only retrieved. Ids the cube does not hold are skipped.
 *
 * @example
 * await handler({ ...task, label: "answer", payload: { answer: "In Porto [1]", memory_ids: ["…"] } }, context);
 */
export function answerHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task) => {
    const { query, memory_ids } = payloadOf(AnswerPayload, task);
    const cube = await cubeOf(mos, task, "read");
    const written = await recordUsage(cube.text.store, memory_ids, `answer: ${query}`);
    return { cited: written.map((i) => i.id) };
  };
}

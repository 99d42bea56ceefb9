/**
 * One handler per MemOS task label, each over MOS (so the task's user goes through the ACL), each
 * validating its payload with zod. `createMosHandlers` gives the map a scheduler registers.
 *
 * @module
 */
import type { TaskHandler, TaskLabel } from "../types.js";
import { actMemUpdateHandler } from "./act-mem-update.js";
import { addHandler } from "./add.js";
import type { HandlerDeps } from "./context.js";
import { memFeedbackHandler } from "./mem-feedback.js";
import { memOrganizeHandler } from "./mem-organize.js";
import { memReadHandler } from "./mem-read.js";
import { memUpdateHandler } from "./mem-update.js";
import { prefAddHandler } from "./pref-add.js";
import { answerHandler, queryHandler } from "./query-answer.js";

export { ActMemUpdatePayload, type ActMemUpdateResult, actMemUpdateHandler } from "./act-mem-update.js";
export { AddPayload, type AddTaskResult, addHandler } from "./add.js";
export { cubeOf, type FeedbackApplier, type HandlerDeps, payloadOf } from "./context.js";
export { MemFeedbackPayload, memFeedbackHandler } from "./mem-feedback.js";
export { MemOrganizePayload, type MemOrganizeResult, memOrganizeHandler } from "./mem-organize.js";
export { MemReadPayload, type MemReadResult, memReadHandler } from "./mem-read.js";
export {
  MAX_QUERY_KEYWORDS,
  MemUpdatePayload,
  type MemUpdateResult,
  memUpdateHandler,
  queryKeywords,
} from "./mem-update.js";
export { PrefAddPayload, type PrefAddResult, prefAddHandler } from "./pref-add.js";
export { AnswerPayload, answerHandler, QueryPayload, queryHandler } from "./query-answer.js";

/**
 * The handlers of every label MOS can do the work of, `act_mem_update` (the KV rebuild of a
 * cube's activation memory) included. `mem_feedback` is there only when `deps` carries the
 * feedback applier.
 *
 * @example
 * const scheduler = await MemScheduler.create({ home: mos.home.dir, handlers: createMosHandlers({ mos }) });
 */
export function createMosHandlers(deps: HandlerDeps): Partial<Record<TaskLabel, TaskHandler>> {
  return {
    add: addHandler(deps),
    mem_read: memReadHandler(deps),
    mem_organize: memOrganizeHandler(deps),
    pref_add: prefAddHandler(deps),
    mem_update: memUpdateHandler(deps),
    query: queryHandler(deps),
    answer: answerHandler(deps),
    act_mem_update: actMemUpdateHandler(deps),
    ...(deps.feedback ? { mem_feedback: memFeedbackHandler(deps) } : {}),
  };
}

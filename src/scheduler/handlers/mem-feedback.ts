import { z } from "zod";
import { ConfigError } from "../../core/errors/config-error.js";
import { ChatMessage } from "../../reader/chat-schema.js";
import type { TaskHandler } from "../types.js";
import { type HandlerDeps, payloadOf } from "./context.js";

/** `mem_feedback`: MemOS's feedback request (what `/product/feedback` takes). */
export const MemFeedbackPayload = z.object({
  feedback_content: z.string().trim().min(1).max(20_000),
  history: z
    .array(ChatMessage.pick({ role: true, content: true }))
    .max(200)
    .default([]),
  retrieved_memory_ids: z.array(z.string().min(1)).max(100).default([]),
  writable_cube_ids: z.array(z.string().min(1)).min(1).optional(),
  session_id: z.string().optional(),
  corrected_answer: z.boolean().default(false),
  feedback_time: z.string().optional(),
});

/**
 * Feedback in the background: the LLM decides what the user's feedback changes (add, update as a
 * new version, invalidate) and MOS applies it as the task's user (every memory's ACL checked).
 * The applier is the server's; without one this label has no handler and the scheduler refuses it.
 *
 * @example
 * const handler = memFeedbackHandler({ mos, feedback: applyFeedback });
 */
export function memFeedbackHandler({ mos, feedback }: HandlerDeps): TaskHandler {
  return async (task) => {
    const payload = payloadOf(MemFeedbackPayload, task);
    if (!feedback)
      throw new ConfigError({
        message: "mem_feedback has no feedback applier in this process",
        hint: "run the task where the server's handlers are registered (memos serve or memos worker)",
      });
    return feedback(mos, task.user_id, {
      ...payload,
      user_id: task.user_id,
      writable_cube_ids: payload.writable_cube_ids ?? [task.cube_id],
    });
  };
}

import { z } from "zod";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { ChatMessage } from "../../reader/chat-schema.js";
import type { TaskHandler } from "../types.js";
import { cubeOf, type HandlerDeps, payloadOf } from "./context.js";

/** `pref_add`: the messages of an add, read for the user's preferences. */
export const PrefAddPayload = z.object({
  messages: z.array(ChatMessage).min(1).max(10_000),
  session_id: z.string().optional(),
});

/** What a `pref_add` task reports: ids of the preferences written. */
export interface PrefAddResult {
  added: string[];
  updated: string[];
  invalidated: string[];
}

/**
 * Preference extraction in the background: the cube's preference memory reads the messages (with
 * the LLM when one is configured, explicit statements by rule otherwise) and adds or updates the
 * user's preferences. Re-running it finds the same preferences and updates them rather than
 * storing them twice.
 *
 * @example
 * await handler({ ...task, label: "pref_add", payload: { messages: [{ role: "user", content: "I'm vegan" }] } }, context);
 */
export function prefAddHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task) => {
    const { messages, session_id } = payloadOf(PrefAddPayload, task);
    const cube = await cubeOf(mos, task, "write");
    if (!cube.preference)
      throw new InvalidInputError({
        message: `cube ${task.cube_id} has no preference memory`,
        hint: 'give the cube a pref_mem ({"backend": "pref_text"}) in its config.json',
      });
    const r = await cube.preference.addMessages(messages, {
      userId: task.user_id,
      sessionId: session_id,
      cubeId: task.cube_id,
    });
    const ids = (items: { id: string }[]) => items.map((i) => i.id);
    const result: PrefAddResult = {
      added: ids(r.added),
      updated: ids(r.updated),
      invalidated: ids(r.invalidated),
    };
    return result;
  };
}

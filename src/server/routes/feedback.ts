import { createRoute, z } from "@hono/zod-openapi";
import { z as zod } from "zod";
import { ConfigError } from "../../core/errors/config-error.js";
import { LLM_ENV_HINT } from "../../mos/cube-ops.js";
import type { MOS } from "../../mos/mos.js";
import { generateObject } from "../../providers/shared/generate-object.js";
import { actingUser } from "../auth.js";
import { envelope, jsonIo, Message, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

export const FeedbackRequest = z
  .looseObject({
    user_id: z.string().optional(),
    session_id: z.string().optional(),
    history: z.array(Message).default([]),
    feedback_content: z.string().min(1),
    retrieved_memory_ids: z.array(z.string()).default([]),
    writable_cube_ids: z.array(z.string()).min(1).optional(),
    corrected_answer: z.boolean().default(false),
    feedback_time: z.string().optional(),
  })
  .openapi("FeedbackRequest");

const Operation = z
  .object({
    action: z.enum(["add", "update", "invalidate"]),
    memory_id: z.string(),
    cube_id: z.string(),
    memory: z.string(),
    reason: z.string().optional(),
  })
  .openapi("FeedbackOperation");

const route = createRoute({
  method: "post",
  path: "/product/feedback",
  tags: ["memories"],
  summary:
    "Correct memories from the user's feedback (needs an LLM): add, update as a new version, or invalidate",
  ...jsonIo(
    FeedbackRequest,
    envelope(z.object({ operations: z.array(Operation), corrected_answer: z.string().optional() })),
    "what changed",
  ),
});

/** What the LLM decides; ids are the memories it was shown. */
const Decision = zod.object({
  operations: zod
    .array(
      zod.object({
        action: zod.enum(["add", "update", "invalidate", "keep"]),
        memory_id: zod.string().optional(),
        memory: zod.string().optional(),
        reason: zod.string().optional(),
      }),
    )
    .max(20),
  corrected_answer: zod.string().optional(),
});

const PROMPT = `You maintain a user's memory. The user gave feedback on an answer that used the memories listed below.
Decide, for each memory the feedback bears on: "update" (write the corrected memory text), "invalidate" (it no longer holds or was wrong),
or "keep". Add a new memory ("add", with memory text) for a fact the feedback states that no memory holds.
Use only the memory ids listed. Answer with JSON: {"operations": [{"action", "memory_id"?, "memory"?, "reason"?}], "corrected_answer"?}.`;

export function registerFeedback(app: MemosApp, ctx: AppContext): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    const data = await applyFeedback(ctx.mos, userId, body);
    return c.json(ok(`Feedback applied (${data.operations.length} change(s))`, data), 200);
  });
}

/** Ask the LLM what the feedback changes, then apply it through MOS (used by /product/add with is_feedback too). */
export async function applyFeedback(mos: MOS, userId: string, body: z.infer<typeof FeedbackRequest>) {
  const llm = mos.llm;
  if (!llm)
    throw new ConfigError({
      message: "feedback needs an LLM, and the server has none",
      hint: `start the server with ${LLM_ENV_HINT}`,
    });
  // Read access is checked for every memory shown to the model; write access when it is changed.
  // Without ids (MemOS's add with is_feedback), the memories the feedback is about are searched for.
  const shown =
    body.retrieved_memory_ids.length > 0
      ? await Promise.all(body.retrieved_memory_ids.map((id) => mos.get(id, { userId })))
      : (
          await mos.search({
            query: body.feedback_content,
            userId,
            cubeIds: body.writable_cube_ids,
            topK: 5,
            prefTopK: 0,
          })
        ).text_mem.flatMap((t) => t.memories.map((memory) => ({ cube_id: t.cube_id, memory })));
  const list = shown.map((m) => `- ${m.memory.id}: ${m.memory.memory}`).join("\n") || "(none)";
  const history = body.history
    .map((m) => `${m.role}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`)
    .join("\n");
  const { object } = await generateObject(
    llm,
    [
      { role: "system", content: PROMPT },
      {
        role: "user",
        content: `Memories:\n${list}\n\nConversation:\n${history || "(none)"}\n\nFeedback: ${body.feedback_content}${body.corrected_answer ? "\n\nAlso give the corrected answer." : ""}`,
      },
    ],
    Decision,
    { schemaName: "feedback" },
  );
  const known = new Map(shown.map((m) => [m.memory.id, m]));
  const operations: z.infer<typeof Operation>[] = [];
  const now = body.feedback_time ?? new Date().toISOString();
  for (const op of object.operations) {
    const target = op.memory_id ? known.get(op.memory_id) : undefined;
    if (op.action === "update" && target && op.memory?.trim()) {
      const r = await mos.update(target.memory.id, { memory: op.memory }, { userId, cubeId: target.cube_id });
      operations.push({
        action: "update",
        memory_id: r.memory.id,
        cube_id: r.cube_id,
        memory: r.memory.memory,
        reason: op.reason,
      });
    } else if (op.action === "invalidate" && target) {
      const r = await mos.update(
        target.memory.id,
        { metadata: { invalid_at: now, status: "archived" } },
        { userId, cubeId: target.cube_id },
      );
      operations.push({
        action: "invalidate",
        memory_id: r.memory.id,
        cube_id: r.cube_id,
        memory: r.memory.memory,
        reason: op.reason,
      });
    } else if (op.action === "add" && op.memory?.trim()) {
      const r = await mos.add({
        userId,
        cubeId: body.writable_cube_ids?.[0],
        memoryContent: op.memory,
        sessionId: body.session_id,
      });
      for (const m of r.memories)
        operations.push({
          action: "add",
          memory_id: m.id,
          cube_id: r.cube_id,
          memory: m.memory,
          reason: op.reason,
        });
    }
    // "keep", unknown ids and empty texts change nothing: the model may not touch unseen memories.
  }
  return {
    operations,
    ...(body.corrected_answer && object.corrected_answer
      ? { corrected_answer: object.corrected_answer }
      : {}),
  };
}

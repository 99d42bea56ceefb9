import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { ChatOptions } from "../../mos/chat.js";
import type { PromptMemory } from "../../mos/chat-prompt.js";
import { actingUser } from "../auth.js";
import { errorResponse } from "../errors.js";
import { envelope, errorResponses, jsonIo, ok, readCubeIds, readScopeFields } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

export const ChatRequest = z
  .looseObject({
    query: z.string().min(1),
    ...readScopeFields,
    session_id: z.string().optional(),
    system_prompt: z.string().optional(),
    base_prompt: z
      .string()
      .optional()
      .openapi({ description: "(older MemOS clients) alias of system_prompt" }),
    top_k: z.number().int().min(0).max(100).default(10),
    max_tokens: z.number().int().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    add_message_on_answer: z
      .boolean()
      .default(true)
      .openapi({ description: "remember the turn in the user's default cube" }),
  })
  .openapi("ChatRequest");

const Reference = z
  .object({ index: z.number().int(), memory_id: z.string(), cube_id: z.string(), memory: z.string() })
  .openapi("ChatReference");
const ChatData = z
  .object({
    response: z.string(),
    references: z.array(Reference),
    citations: z.array(z.object({ index: z.number().int(), memoryId: z.string(), cubeId: z.string() })),
    session_id: z.string(),
    warnings: z.array(z.string()),
  })
  .openapi("ChatData");

const routes = {
  complete: createRoute({
    method: "post",
    path: "/product/chat/complete",
    tags: ["chat"],
    summary: "Chat with memory (needs an LLM); the whole answer at once",
    ...jsonIo(ChatRequest, envelope(ChatData, "ChatResponse"), "the answer with its references"),
  }),
  stream: createRoute({
    method: "post",
    path: "/product/chat/stream",
    tags: ["chat"],
    summary: "Chat with memory as Server-Sent Events (needs an LLM)",
    description:
      'Frames are `data: {"type": ..., "data": ...}`: status "0" (searching), reference (the memories), status "1" (answering), text (each delta), citations, end; an error mid-stream is {"type": "error", "data": {code, message, hint}}.',
    request: { body: { content: { "application/json": { schema: ChatRequest } }, required: true } },
    // No content schema for 200: the body is a text/event-stream, described above.
    responses: { 200: { description: "a text/event-stream of JSON frames" }, ...errorResponses },
  }),
};

function chatOptions(body: z.infer<typeof ChatRequest>, userId: string): ChatOptions {
  return {
    userId,
    sessionId: body.session_id,
    cubeIds: readCubeIds(body),
    baseSystemPrompt: body.system_prompt ?? body.base_prompt,
    topK: body.top_k,
    writeBack: body.add_message_on_answer,
    generate: { maxTokens: body.max_tokens, temperature: body.temperature, topP: body.top_p },
  };
}

function references(memories: PromptMemory[]) {
  return memories.map((m) => ({
    index: m.index,
    memory_id: m.memoryId,
    cube_id: m.cubeId,
    memory: m.item.memory,
  }));
}

export function registerChat(app: MemosApp, ctx: AppContext): void {
  app.openapi(routes.complete, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    const r = await ctx.mos.chat(body.query, { ...chatOptions(body, userId), stream: false });
    const data = {
      response: r.answer,
      references: references(r.memories),
      citations: r.citations,
      session_id: r.sessionId,
      warnings: r.warnings,
    };
    return c.json(ok("Chat completed successfully", data), 200);
  });

  app.openapi(routes.stream, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    // Everything that can fail before the first token (no LLM, a denied cube) fails here, with its status.
    const chat = await ctx.mos.chat(body.query, { ...chatOptions(body, userId), stream: true });
    return streamSSE(c, async (sse) => {
      const send = (type: string, data?: unknown) =>
        sse.writeSSE({ data: JSON.stringify(data === undefined ? { type } : { type, data }) });
      try {
        await send("status", "0");
        await send("reference", references(chat.memories));
        await send("status", "1");
        for await (const delta of chat.textStream) await send("text", delta);
        const result = await chat.result;
        await send("citations", result.citations);
        if (result.warnings.length > 0) await send("warnings", result.warnings);
        await send("end");
      } catch (error) {
        const { body: err } = errorResponse(error);
        await send("error", { code: err.error, message: err.message, hint: err.hint });
      }
    });
  });
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRoute, z } from "@hono/zod-openapi";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { QueueFullError } from "../../core/errors/queue-full-error.js";
import { FIELD_NAME } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { LLM_ENV_HINT } from "../../mos/cube-ops.js";
import type { MOS } from "../../mos/mos.js";
import type { ChatMessage } from "../../reader/index.js";
import { actingUser } from "../auth.js";
import { type CarriedFile, toChat } from "../messages.js";
import { envelope, jsonIo, Messages, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";
import { applyFeedback } from "./feedback.js";

export const AddRequest = z
  .looseObject({
    user_id: z.string().optional(),
    writable_cube_ids: z.array(z.string()).min(1).optional(),
    mem_cube_id: z
      .string()
      .optional()
      .openapi({ description: "(deprecated) one cube; use writable_cube_ids" }),
    messages: Messages.optional(),
    memory_content: z
      .string()
      .optional()
      .openapi({ description: "(deprecated) a memory text; use messages" }),
    doc_path: z
      .string()
      .optional()
      .openapi({ description: "not accepted: send the file in an input_file part" }),
    chat_time: z.string().optional().openapi({ description: "time of messages that carry none" }),
    session_id: z.string().optional(),
    custom_tags: z.array(z.string()).optional(),
    info: z.record(z.string(), z.unknown()).optional(),
    async_mode: z.enum(["async", "sync"]).default("async").openapi({
      description:
        "async (default, as MemOS): answer with task ids at once; sync: answer with the memories written",
    }),
    mode: z.enum(["fast", "fine"]).optional(),
    is_feedback: z.boolean().default(false).openapi({
      description:
        "the last user message is feedback on the conversation before it: handled as /product/feedback (needs an LLM)",
    }),
  })
  .openapi("AddRequest");

export const AddedMemory = z
  .object({ memory: z.string(), memory_id: z.string(), memory_type: z.string(), cube_id: z.string() })
  .openapi("AddedMemory");
const QueuedAdd = z
  .object({ task_id: z.string(), status: z.string(), cube_id: z.string() })
  .openapi("QueuedAdd");

const route = createRoute({
  method: "post",
  path: "/product/add",
  tags: ["memories"],
  summary: "Add memories (messages, a text, documents) to one or more cubes",
  ...jsonIo(
    AddRequest,
    envelope(z.array(z.union([AddedMemory, QueuedAdd])), "AddResponse"),
    "the memories written (sync) or the queued tasks (async)",
  ),
});

type AddBody = z.infer<typeof AddRequest>;

/** Fields of a memory's metadata an `info` key may not overwrite. */
const RESERVED = new Set([
  "id",
  "memory",
  "user_id",
  "session_id",
  "cube_id",
  "status",
  "memory_type",
  "sources",
  "embedding",
  "usage",
  "history",
  "version",
  "created_at",
  "updated_at",
  "tags",
  "evolve_to",
]);

export function registerAdd(app: MemosApp, ctx: AppContext): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    if (body.is_feedback) return c.json(await feedbackFromAdd(ctx.mos, userId, body), 200);
    const job = prepareAdd(ctx.mos, userId, body);
    // Known now, so an async add is refused at once instead of failing in the background.
    if (job.mode === "fine" && !ctx.mos.llm)
      throw new ConfigError({
        message: "fine mode needs an LLM, and the server has none",
        hint: `use mode "fast", or start the server with ${LLM_ENV_HINT}`,
      });
    // ACL first, so a denied or unknown cube fails now in either mode.
    for (const cubeId of job.cubeIds) await ctx.mos.openCube(cubeId, { userId, action: "write" });
    if (body.async_mode === "async") {
      const out: (z.infer<typeof QueuedAdd> | z.infer<typeof AddedMemory>)[] = [];
      let full = 0;
      for (const cubeId of job.cubeIds) {
        try {
          const { task } = await ctx.scheduler.submit({
            label: "add",
            user_id: userId,
            cube_id: cubeId,
            payload: addPayload(job),
          });
          out.push({ task_id: task.task_id, status: task.status, cube_id: cubeId });
        } catch (error) {
          if (!QueueFullError.isInstance(error)) throw error;
          // Acknowledged all the same: the fast memories commit now, and what needs the LLM is
          // tagged for the scheduler's sweep (see MOS.add's asyncMode).
          full += 1;
          out.push(...(await runAdd(ctx.mos, userId, { ...job, cubeIds: [cubeId] }, "async")));
        }
      }
      const message =
        full > 0
          ? `Memory added now (the scheduler's queue is full): fast memories stored, their background work pending; see /product/scheduler/allstatus`
          : "Memory add queued; follow it with /product/scheduler/status";
      return c.json(ok(message, out), 200);
    }
    const written = await runAdd(ctx.mos, userId, job);
    return c.json(ok(`Memory added successfully (${written.length})`, written), 200);
  });
}

/** MemOS's `is_feedback` add: the last user message is the feedback, what came before its history. */
async function feedbackFromAdd(mos: MOS, userId: string, body: AddBody) {
  const { messages } = body.messages === undefined ? { messages: [] } : toChat(body.messages);
  const last = messages.map((m) => m.role).lastIndexOf("user");
  if (last < 0)
    throw new InvalidInputError({
      message: "is_feedback needs a user message holding the feedback",
      hint: 'e.g. "messages": [{"role": "user", "content": "No, I moved to Lisbon"}]',
    });
  const result = await applyFeedback(mos, userId, {
    user_id: userId,
    history: messages.slice(0, last).map((m) => ({ role: m.role as "user", content: m.content })),
    feedback_content: messages[last]?.content ?? "",
    retrieved_memory_ids: [],
    writable_cube_ids: body.writable_cube_ids ?? (body.mem_cube_id ? [body.mem_cube_id] : undefined),
    session_id: body.session_id,
    corrected_answer: false,
  });
  const data = result.operations.map((o) => ({
    memory: o.memory,
    memory_id: o.memory_id,
    memory_type: o.action,
    cube_id: o.cube_id,
  }));
  return ok("Memory feedback successfully", data);
}

interface AddJob {
  cubeIds: string[];
  messages: ChatMessage[];
  files: CarriedFile[];
  memoryContent?: string;
  sessionId?: string;
  mode: "fast" | "fine";
  tags?: string[];
  info?: Record<string, unknown>;
}

/** Validate and normalise a request into what each cube's add gets. */
export function prepareAdd(mos: MOS, userId: string, body: AddBody): AddJob {
  if (body.doc_path !== undefined) {
    throw new InvalidInputError({
      message: "doc_path is not accepted over HTTP: the server does not read its own files for clients",
      hint: 'send the document in a message part: {"type": "input_file", "filename": "notes.md", "file_data": "<base64 or text>"}',
    });
  }
  const { messages, files } =
    body.messages === undefined ? { messages: [], files: [] } : toChat(body.messages);
  const memoryContent = body.memory_content?.trim() || undefined;
  if (messages.length === 0 && files.length === 0 && !memoryContent) {
    throw new InvalidInputError({
      message: "nothing to add: the request has no message text, file or memory_content",
      hint: 'e.g. "messages": [{"role": "user", "content": "I moved to Porto"}]',
    });
  }
  const chatTime = body.chat_time;
  const cubeIds =
    body.writable_cube_ids ?? (body.mem_cube_id ? [body.mem_cube_id] : [mos.defaultCubeOf(userId)]);
  return {
    cubeIds: [...new Set(cubeIds)],
    messages: chatTime ? messages.map((m) => ({ chat_time: chatTime, ...m })) : messages,
    files,
    memoryContent,
    sessionId: body.session_id,
    mode: body.mode ?? "fast",
    tags: body.custom_tags,
    info: body.info ? checkInfo(body.info) : undefined,
  };
}

function checkInfo(info: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(info)) {
    if (!FIELD_NAME.test(key) || RESERVED.has(key)) {
      throw new InvalidInputError({
        message: `info.${key}: ${RESERVED.has(key) ? "is a field the server sets" : "is not a filterable field name"}`,
        hint: "info keys are lowercase snake_case (agent_id, source_url) and not memory fields",
      });
    }
  }
  return info;
}

/** What an `add` task carries (see the scheduler's add handler): the job, files as base64. */
function addPayload(job: AddJob): Record<string, unknown> {
  return {
    messages: job.messages.length > 0 ? job.messages : undefined,
    memory_content: job.memoryContent,
    files: job.files.map((f) => ({ filename: f.filename, data_base64: f.data.toString("base64") })),
    session_id: job.sessionId,
    mode: job.mode,
    tags: job.tags,
    info: job.info,
  };
}

/**
 * Add to each cube (messages and text in one transaction per cube; each file in its own).
 * `asyncMode` "async": fast memories now, the LLM work queued (MOS.add's asyncMode).
 */
export async function runAdd(
  mos: MOS,
  userId: string,
  job: AddJob,
  asyncMode: "sync" | "async" = "sync",
): Promise<z.infer<typeof AddedMemory>[]> {
  const out: z.infer<typeof AddedMemory>[] = [];
  const warnings: string[] = [];
  const common = {
    userId,
    sessionId: job.sessionId,
    mode: job.mode,
    tags: job.tags,
    info: job.info,
    asyncMode,
  };
  for (const cubeId of job.cubeIds) {
    const collect = (r: { cube_id: string; memories: TextualMemoryItem[]; warnings: string[] }) => {
      warnings.push(...r.warnings);
      for (const m of r.memories)
        out.push({
          memory: m.memory,
          memory_id: m.id,
          memory_type: m.metadata.memory_type,
          cube_id: r.cube_id,
        });
    };
    if (job.messages.length > 0 || job.memoryContent)
      collect(
        await mos.add({
          ...common,
          cubeId,
          messages: job.messages.length > 0 ? job.messages : undefined,
          memoryContent: job.memoryContent,
        }),
      );
    for (const file of job.files)
      collect(await withTempFile(file, (docPath) => mos.add({ ...common, cubeId, docPath })));
  }
  if (out.length === 0) {
    throw new InvalidInputError({
      message: `the add stored nothing${warnings.length > 0 ? `: ${warnings.join("; ")}` : ": the reader found no text to remember"}`,
      hint: "send messages with text content, or a document with text in it",
    });
  }
  return out;
}

async function withTempFile<T>(file: CarriedFile, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "memos-upload-"));
  try {
    const path = join(dir, file.filename);
    await writeFile(path, file.data);
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { z } from "zod";
import type { AddResult } from "../../mos/memories.js";
import { ChatMessage } from "../../reader/chat-schema.js";
import type { TaskHandler } from "../types.js";
import { type HandlerDeps, payloadOf } from "./context.js";

/** `add`: what an asynchronous add (the server's `async_mode: "async"`) carries to its cube. */
export const AddPayload = z
  .object({
    messages: z.array(ChatMessage).max(10_000).optional(),
    memory_content: z.string().optional(),
    /** Documents, base64: the server writes nothing of a client's to disk before the task runs. */
    files: z
      .array(z.object({ filename: z.string().min(1).max(255), data_base64: z.string() }))
      .max(100)
      .default([]),
    session_id: z.string().optional(),
    mode: z.enum(["fast", "fine"]).default("fast"),
    tags: z.array(z.string()).optional(),
    info: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((p) => (p.messages?.length ?? 0) > 0 || p.memory_content || p.files.length > 0, {
    message: "nothing to add: no messages, memory_content or files",
  });

/** What an `add` task reports: the memories written, and the follow-up tasks it queued. */
export interface AddTaskResult {
  memories: { memory_id: string; memory: string; memory_type: string }[];
  tasks: { label: string; task_id: string }[];
  warnings: string[];
  backpressure?: AddResult["backpressure"];
}

/**
 * The server's asynchronous add, run by a worker: MOS adds to the task's cube as the task's user
 * (the ACL checked again, now), in MOS's async mode: fast memories commit, and the LLM work
 * follows as tasks of its own (`mem_read` in fine mode, `pref_add`; see `MOS.add`'s asyncMode), so
 * the MOS needs its scheduler attached. Running it twice stores a chat once (messages already
 * stored are skipped).
 *
 * @example
 * await handler({ ...task, label: "add", payload: { messages: [{ role: "user", content: "I moved to Porto" }] } }, context);
 */
export function addHandler({ mos }: HandlerDeps): TaskHandler {
  return async (task) => {
    const p = payloadOf(AddPayload, task);
    const common = {
      userId: task.user_id,
      cubeId: task.cube_id,
      sessionId: p.session_id,
      mode: p.mode,
      // Its own LLM work (fine pass, preferences) follows as tasks of their own.
      asyncMode: "async" as const,
      tags: p.tags,
      info: p.info,
    };
    const results: AddResult[] = [];
    if ((p.messages?.length ?? 0) > 0 || p.memory_content)
      results.push(await mos.add({ ...common, messages: p.messages, memoryContent: p.memory_content }));
    for (const file of p.files) {
      const dir = await mkdtemp(join(tmpdir(), "memos-task-"));
      try {
        const path = join(dir, basename(file.filename));
        await writeFile(path, Buffer.from(file.data_base64, "base64"));
        results.push(await mos.add({ ...common, docPath: path }));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    const out: AddTaskResult = {
      memories: results.flatMap((r) =>
        r.memories.map((m) => ({ memory_id: m.id, memory: m.memory, memory_type: m.metadata.memory_type })),
      ),
      tasks: results.flatMap((r) => r.tasks ?? []),
      warnings: results.flatMap((r) => r.warnings),
    };
    const backpressure = results.find((r) => r.backpressure)?.backpressure;
    if (backpressure) out.backpressure = backpressure;
    return out;
  };
}

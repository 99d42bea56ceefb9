/**
 * MOS's side of the scheduler: an add whose LLM work runs in the background (fast memories now,
 * `mem_read` / `pref_add` / `mem_organize` queued), chat turns reported as `query` / `answer`
 * tasks, and the sweep that re-queues what a full queue refused. MOS only submits: it knows the
 * scheduler as {@link BackgroundTasks}, so nothing here imports the queues.
 *
 * @module
 */
import { ConfigError } from "../core/errors/config-error.js";
import { errorMessage } from "../core/errors/error-message.js";
import { QueueFullError } from "../core/errors/queue-full-error.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { logger } from "../core/logger.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { MemCube } from "../cube/mem-cube.js";
import { withoutEmbedding } from "../memory/textual/store-backed.js";
import { TreeTextMemory } from "../memory/textual/tree/tree-memory.js";
import type { TaskInput, TaskLabel } from "../scheduler/types.js";
import type { ChatResult } from "./chat.js";
import type { BackgroundTasks, MosCore } from "./context.js";
import { LLM_HINT } from "./cube-ops.js";
import * as mem from "./memories.js";

export type { BackgroundTasks } from "./context.js";

/**
 * Tag of fast memories whose fine pass could not be queued (the queue was full): a sweep
 * (`requeuePending`) finds them and queues their `mem_read` once there is room.
 */
export const PENDING_READ_TAG = "pending:mem_read";

/** Follow-up tasks one `mem_read` carries at most (a sweep splits larger backlogs). */
const SWEEP_BATCH = 200;

/**
 * The add with its LLM work in the background: the memories are read fast and committed (so they
 * are searchable when this returns), then `mem_read` (mode "fine": the LLM re-reads them and
 * replaces them with fine memories), `pref_add` (the cube has a preference memory and the add has
 * messages) and `mem_organize` (tree cubes, when `organize`) are queued. A full queue does not fail
 * the add: the memories are committed; those awaiting their fine pass are tagged
 * {@link PENDING_READ_TAG} for a later sweep, and `backpressure` says so.
 */
export async function addInBackground(
  core: MosCore,
  userId: string,
  options: mem.MOSAddOptions,
): Promise<mem.AddResult> {
  const tasks = core.tasks;
  if (!tasks)
    throw new ConfigError({
      message: 'asyncMode "async" needs a scheduler, and this MOS has none',
      hint: 'attach one with mos.useScheduler(await MemScheduler.create(...)), or add with asyncMode "sync"',
    });
  const fine = (options.mode ?? "fast") === "fine";
  if (fine && !core.llm)
    throw new ConfigError({ message: "fine mode needs an LLM, and none is configured", hint: LLM_HINT });
  // Fine mode reads a memory text as a user turn (as a sync fine add does), so its fast form is a
  // chat window the fine pass can re-read.
  const asMessages =
    fine && options.memoryContent !== undefined
      ? {
          messages: [...(options.messages ?? []), { role: "user", content: options.memoryContent }],
          memoryContent: undefined,
        }
      : {};
  const result = await mem.add(core, userId, { ...options, ...asMessages, mode: "fast" });
  const cubeId = result.cube_id;
  const ids = result.memories.map((m) => m.id);
  const cube = await core.pool.get(cubeId);
  const followUps: Omit<TaskInput, "user_id" | "cube_id">[] = [];
  if (fine && ids.length > 0)
    followUps.push({
      label: "mem_read",
      payload: { memory_ids: ids },
      idempotency_key: `mem_read:${ids[0]}`,
    });
  const messages = asMessages.messages ?? options.messages;
  if (cube.preference && messages && messages.length > 0)
    followUps.push({
      label: "pref_add",
      payload: { messages, session_id: options.sessionId },
      ...(ids[0] ? { idempotency_key: `pref_add:${ids[0]}` } : {}),
    });
  if (options.organize && cube.text instanceof TreeTextMemory && ids.length > 0)
    followUps.push({
      label: "mem_organize",
      payload: { memory_ids: ids },
      idempotency_key: `mem_organize:${ids[0]}`,
    });
  // The memory block a KV cache pins may have changed: rebuild it in the background (after the
  // fine pass, which replaces the fast memories), so the next chat turn finds it ready.
  if (cube.activation && ids.length > 0)
    followUps.push({ label: "act_mem_update", payload: {}, idempotency_key: `act_mem_update:${ids[0]}` });
  result.tasks = [];
  for (const f of followUps) {
    try {
      const { task } = await tasks.submit({ ...f, user_id: userId, cube_id: cubeId });
      result.tasks.push({ label: f.label, task_id: task.task_id });
    } catch (error) {
      // The memories are committed whatever the queue says: report, tag, and carry on.
      const full = QueueFullError.isInstance(error);
      logger.warn(
        { err: error, label: f.label, cube: cubeId },
        "mos: a follow-up task of an add was not queued",
      );
      result.warnings.push(`${f.label} not queued: ${errorMessage(error)}`);
      if (f.label === "mem_read") {
        await tagPending(cube.text.store, ids, true);
        tasks.notePending?.(userId, cubeId);
      }
      result.backpressure ??= {
        code: full ? "queue_full" : "queue_unavailable",
        message: errorMessage(error),
        pending: f.label === "mem_read" ? ids.length : 0,
      };
      if (f.label === "mem_read") result.backpressure.pending = ids.length;
    }
  }
  return result;
}

/**
 * Queue `mem_read` for the memories of a cube a full queue left tagged {@link PENDING_READ_TAG},
 * as the user who added them (open the cube through MOS as that user, for the ACL), untagging each
 * batch once it is queued. Stops at the
 * first batch the queue refuses again. Returns how many memories were queued, and whether none
 * is left pending.
 *
 * @example
 * const cube = await mos.openCube("alice/default", { userId: "alice", action: "write" });
 * await requeuePending(cube, { userId: "alice", cubeId: "alice/default" }, scheduler); // { queued: 12, complete: true }
 */
export async function requeuePending(
  cube: MemCube,
  owner: { userId: string; cubeId: string },
  tasks: BackgroundTasks,
): Promise<{ queued: number; complete: boolean }> {
  const store = cube.text.store;
  let queued = 0;
  for (;;) {
    const pending = await store.listItems({
      filter: { status: "activated", tags: { contains: PENDING_READ_TAG } },
      limit: SWEEP_BATCH,
    });
    if (pending.length === 0) return { queued, complete: true };
    const ids = pending.map((p) => p.id);
    try {
      await tasks.submit({
        label: "mem_read",
        user_id: owner.userId,
        cube_id: owner.cubeId,
        payload: { memory_ids: ids },
        idempotency_key: `mem_read:${ids[0]}`,
      });
    } catch (error) {
      if (QueueFullError.isInstance(error)) return { queued, complete: false };
      throw error;
    }
    await tagPending(store, ids, false);
    queued += ids.length;
  }
}

/** Add or remove the pending tag, in one transaction; bookkeeping, so no version bump. */
async function tagPending(store: MemoryStore, ids: string[], on: boolean): Promise<void> {
  await store.transaction(async (tx) => {
    for (const item of await tx.getItems(ids)) {
      const tags = item.metadata.tags.filter((t) => t !== PENDING_READ_TAG);
      if (on) tags.push(PENDING_READ_TAG);
      const next: TextualMemoryItem = withoutEmbedding({ ...item, metadata: { ...item.metadata, tags } });
      await tx.updateItem(item.id, next);
    }
  });
}

/**
 * Report a chat turn to the scheduler, as MemOS does: a `query` task (on the user's default cube,
 * with the session's earlier queries; it leads to a working-memory refresh) and an `answer` task
 * per cube whose memories the answer cited. Never fails the turn: a refused submit is logged.
 */
export function reportChatTurn(
  core: MosCore,
  userId: string,
  query: string,
  result: ChatResult,
  earlierQueries: string[],
): void {
  const tasks = core.tasks;
  if (!tasks) return;
  const submit = (label: TaskLabel, cubeId: string, payload: unknown) =>
    tasks.submit({ label, user_id: userId, cube_id: cubeId, payload }).catch((error: unknown) => {
      logger.warn({ err: error, label }, "mos: chat turn not reported to the scheduler");
    });
  const clip = (text: string) => text.slice(0, 4000);
  let home: string | undefined;
  try {
    home = core.home.defaultCubeOf(userId);
  } catch {
    home = undefined; // a guest owns no cube: nothing to refresh
  }
  if (home)
    void submit("query", home, {
      query: clip(query),
      session_id: result.sessionId,
      history: earlierQueries.slice(-19).map(clip),
    });
  const byCube = new Map<string, string[]>();
  for (const c of result.citations) byCube.set(c.cubeId, [...(byCube.get(c.cubeId) ?? []), c.memoryId]);
  for (const [cubeId, ids] of byCube)
    void submit("answer", cubeId, {
      answer: result.answer.slice(0, 100_000),
      query: clip(query),
      session_id: result.sessionId,
      memory_ids: ids,
    });
}

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { errorMessage } from "../../core/errors/error-message.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { StorageError } from "../../core/errors/storage-error.js";
import { nowIso } from "../../core/time.js";
import { importOptional } from "../../providers/shared/lazy.js";
import { normalizeTaskInput, parseJson, pruneIntervalMs, resolveQueueOptions } from "../task-input.js";
import type {
  ClaimOptions,
  QueueStats,
  SubmitResult,
  Task,
  TaskError,
  TaskInput,
  TaskLabel,
  TaskQueue,
  TaskQueueOptions,
  TaskStatus,
} from "../types.js";
import { REDIS_SCRIPTS, type RedisScriptName } from "./redis-scripts.js";
import { checkClaim, emptyByStatus, queueFullError, serializeResult, serializeTaskError } from "./shared.js";

/** The Redis URL used when none is given and MEMOS_REDIS_URL is unset. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Options of {@link createRedisStreamQueue}. */
export interface RedisStreamQueueOptions extends TaskQueueOptions {
  /** Default: MEMOS_REDIS_URL, else redis://127.0.0.1:6379. */
  url?: string;
  /** An ioredis client to use instead of connecting (left open on close). */
  client?: Redis;
  /** Prefix of every key (default `memos:`): two deployments on one Redis use two prefixes. */
  prefix?: string;
  /** The consumer group every worker joins (default `workers`). */
  group?: string;
}

const STATUSES: TaskStatus[] = ["waiting", "in_progress", "completed", "failed", "cancelled"];

/**
 * Connect a {@link RedisStreamQueue}. `ioredis` is loaded on first use (a missing package is a
 * MissingDependencyError naming it); an unreachable Redis is a StorageError naming the URL.
 *
 * @example
 * const queue = await createRedisStreamQueue({ url: process.env.MEMOS_REDIS_URL, capacity: 50_000 });
 * new TaskWorker({ queue, handlers, name: `${hostname()}-${process.pid}`, concurrency: 4 }).start();
 */
export async function createRedisStreamQueue(
  options: RedisStreamQueueOptions = {},
): Promise<RedisStreamQueue> {
  const { url = process.env.MEMOS_REDIS_URL || DEFAULT_REDIS_URL, client, ...rest } = options;
  if (client) return new RedisStreamQueue(client, false, url, rest);
  const { Redis: RedisClient } = await importOptional<typeof import("ioredis")>(
    "ioredis",
    "the Redis scheduler queue",
  );
  const redis = new RedisClient(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5000 });
  // Failures reach the caller through the command that failed; the event would crash the process.
  redis.on("error", () => {});
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new StorageError({
      message: `cannot reach Redis at ${redactUrl(url)}: ${errorMessage(error)}`,
      hint: "start redis-server, or set MEMOS_REDIS_URL to a reachable Redis",
      cause: error,
    });
  }
  return new RedisStreamQueue(redis, true, url, rest);
}

/**
 * Tasks on Redis Streams, for many workers in many processes: one stream per user (fairness is
 * per user, so a claim reads one entry per user in turn), one consumer group, acknowledgement
 * only after success, XAUTOCLAIM re-delivery of claims idle past the visibility timeout (a
 * heartbeat resets the idle time), a dead-letter stream after `max_attempts`, a capacity bound,
 * and every task's record in a hash so any process answers get/list/stats. Each state change is
 * one Lua script (see redis-scripts.ts). Needs one Redis node (not a cluster). Build it with
 * {@link createRedisStreamQueue}.
 */
export class RedisStreamQueue implements TaskQueue {
  readonly specificationVersion = "v1" as const;
  readonly kind = "redis";
  private readonly options: Required<TaskQueueOptions>;
  private readonly prefix: string;
  private readonly group: string;
  private readonly shas = new Map<RedisScriptName, string>();
  /** Connections free for a blocking XREAD (a blocked connection serves nothing else). */
  private readonly idleBlockers: Redis[] = [];
  private readonly busyBlockers = new Set<Redis>();
  private lastReclaim = 0;
  private lastPrune = 0;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly ownsClient: boolean,
    private readonly url: string,
    options: Omit<RedisStreamQueueOptions, "url" | "client"> = {},
  ) {
    const { prefix = "memos:", group = "workers", ...queueOptions } = options;
    if (!prefix || !group)
      throw new InvalidInputError({
        message: "the Redis queue's prefix and group must be non-empty",
        hint: "leave them out for the defaults",
      });
    this.options = resolveQueueOptions(queueOptions);
    this.prefix = prefix;
    this.group = group;
    for (const [name, lua] of Object.entries(REDIS_SCRIPTS)) {
      this.shas.set(name as RedisScriptName, createHash("sha1").update(lua).digest("hex"));
    }
  }

  async submit(input: TaskInput): Promise<SubmitResult> {
    const task = normalizeTaskInput(input, this.options.maxAttempts);
    const hasKey = input.idempotency_key !== undefined;
    const submittedAt = nowIso();
    const [outcome, id] = (await this.script("submit", [
      this.options.capacity,
      task.task_id,
      task.label,
      task.user_id,
      task.cube_id,
      task.payload,
      task.idempotency_key,
      hasKey ? "1" : "0",
      task.max_attempts,
      submittedAt,
    ])) as [string, string];
    if (outcome === "full") throw queueFullError(this.options.capacity, this.kind);
    if (outcome === "duplicate") return { task: await this.mustGet(id), duplicate: true };
    const { payload, ...fields } = task;
    return {
      task: {
        ...fields,
        payload: parseJson(payload),
        status: "waiting",
        attempts: 0,
        submitted_at: submittedAt,
      },
      duplicate: false,
    };
  }

  async claim(worker: string, max: number, options: ClaimOptions = {}): Promise<Task[]> {
    checkClaim(worker, max);
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      if (this.closed || options.signal?.aborted) return [];
      if (Date.now() - this.lastPrune >= pruneIntervalMs(this.options.retentionMs)) {
        this.lastPrune = Date.now();
        await this.script("prune", [this.options.retentionMs, 1000]);
      }
      const reclaim = Date.now() - this.lastReclaim >= this.options.visibilityTimeoutMs / 4;
      if (reclaim) this.lastReclaim = Date.now();
      const [signalId, ...hashes] = (await this.script("claim", [
        worker,
        max,
        this.options.visibilityTimeoutMs,
        nowIso(),
        reclaim ? "1" : "0",
      ])) as [string, ...string[][]];
      const left = deadline - Date.now();
      if (hashes.length > 0 || left <= 0 || options.signal?.aborted)
        return hashes.map((flat) => hashToTask(pairs(flat)));
      // Sleep until a submit (an entry on the signal stream after the one the claim saw), the
      // deadline, or the time to look for expired claims again.
      const wait = Math.min(left, Math.max(50, this.options.visibilityTimeoutMs / 2));
      await this.waitForSignal(signalId ?? "0-0", wait, options.signal);
    }
  }

  async heartbeat(taskId: string, worker: string): Promise<boolean> {
    return (await this.script("heartbeat", [taskId, worker])) === 1;
  }

  async complete(taskId: string, worker: string, result?: unknown): Promise<void> {
    const json = serializeResult(result);
    await this.script("complete", [taskId, worker, json === null ? "0" : "1", json ?? "", nowIso()]);
  }

  async fail(
    taskId: string,
    worker: string,
    error: TaskError,
    options: { retry?: boolean } = {},
  ): Promise<"retrying" | "dead" | "lost"> {
    const recorded = serializeTaskError(error);
    const retry = options.retry === false ? "0" : "1";
    return (await this.script("fail", [taskId, worker, recorded, retry, nowIso()])) as
      | "retrying"
      | "dead"
      | "lost";
  }

  async release(taskId: string, worker: string): Promise<void> {
    await this.script("release", [taskId, worker]);
  }

  async cancel(taskId: string): Promise<boolean> {
    return (await this.script("cancel", [taskId, nowIso()])) === 1;
  }

  async get(taskId: string): Promise<Task | undefined> {
    const [task] = await this.getMany([taskId], true);
    return task;
  }

  async list(
    filter: { user_id?: string; cube_id?: string; status?: TaskStatus; limit?: number } = {},
  ): Promise<Task[]> {
    const limit = filter.limit ?? 100;
    const index =
      filter.user_id === undefined ? `${this.prefix}tasks` : `${this.prefix}tasks:${filter.user_id}`;
    const found: Task[] = [];
    // Newest first, a page at a time; cube and status filters are applied to each page.
    const page = Math.max(limit, 100);
    for (let start = 0; found.length < limit; start += page) {
      const ids = await this.call(() => this.redis.zrevrange(index, start, start + page - 1));
      if (ids.length === 0) break;
      for (const task of await this.getMany(ids, true)) {
        if (filter.cube_id !== undefined && task.cube_id !== filter.cube_id) continue;
        if (filter.status !== undefined && task.status !== filter.status) continue;
        if (found.length < limit) found.push(task);
      }
    }
    return found;
  }

  async stats(filter: { user_id?: string } = {}): Promise<QueueStats> {
    const p = this.prefix;
    const [counts, global, active] = await this.call(() =>
      Promise.all([
        this.redis.hgetall(filter.user_id === undefined ? `${p}counts` : `${p}ucounts:${filter.user_id}`),
        this.redis.hget(`${p}counts`, "rejected_full"),
        filter.user_id === undefined
          ? this.redis.hgetall(`${p}active`)
          : this.redis
              .hget(`${p}active`, filter.user_id)
              .then((n) => (n ? { [filter.user_id as string]: n } : {})),
      ]),
    );
    const by_status = emptyByStatus();
    for (const status of STATUSES) by_status[status] = Number(counts[status] ?? 0);
    return {
      by_status,
      active_by_user: Object.fromEntries(Object.entries(active).map(([user, n]) => [user, Number(n)])),
      dead_letter: Number(counts.dead_letter ?? 0),
      capacity: this.options.capacity,
      rejected_full: Number(global ?? 0),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const blocker of [...this.idleBlockers, ...this.busyBlockers]) blocker.disconnect();
    if (this.ownsClient) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Block on the signal stream until an entry after `after` arrives, `ms` pass, or `signal` aborts. */
  private async waitForSignal(after: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    const blocker = this.idleBlockers.pop() ?? this.redis.duplicate();
    blocker.on("error", () => {});
    this.busyBlockers.add(blocker);
    const abort = () => blocker.disconnect();
    signal?.addEventListener("abort", abort, { once: true });
    let reusable = true;
    try {
      await blocker.xread(
        "COUNT",
        1,
        "BLOCK",
        Math.max(1, Math.round(ms)),
        "STREAMS",
        `${this.prefix}signal`,
        after,
      );
    } catch {
      // Disconnected by an abort or close, or Redis failed: the next claim reports a real failure.
      reusable = false;
    } finally {
      signal?.removeEventListener("abort", abort);
      this.busyBlockers.delete(blocker);
      if (reusable && !this.closed && !signal?.aborted) this.idleBlockers.push(blocker);
      else blocker.disconnect();
    }
  }

  /** Tasks by id in one round trip, in the order given; missing ones left out (or kept as undefined). */
  private async getMany(ids: string[], skipMissing = false): Promise<Task[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.prefix}task:${id}`);
    const replies = (await this.call(() => pipeline.exec())) ?? [];
    const tasks: Task[] = [];
    for (const [error, hash] of replies) {
      if (error) throw this.storageError(error);
      const record = hash as Record<string, string>;
      if (!record.task_id) {
        if (skipMissing) continue;
        throw new StorageError({ message: "a task vanished from Redis while being read", hint: "retry" });
      }
      tasks.push(hashToTask(record));
    }
    return tasks;
  }

  private async mustGet(id: string): Promise<Task> {
    const [task] = await this.getMany([id]);
    return task as Task;
  }

  /** Run a script by its digest, loading it on the first NOSCRIPT (a fresh or flushed Redis). */
  private async script(name: RedisScriptName, args: (string | number)[]): Promise<unknown> {
    if (this.closed) {
      throw new StorageError({
        message: "the Redis scheduler queue is closed",
        hint: "connect a new RedisStreamQueue",
      });
    }
    const argv = [this.prefix, this.group, ...args.map(String)];
    return this.call(async () => {
      try {
        return await this.redis.evalsha(this.shas.get(name) as string, 0, ...argv);
      } catch (error) {
        if (!errorMessage(error).includes("NOSCRIPT")) throw error;
        return await this.redis.eval(REDIS_SCRIPTS[name], 0, ...argv);
      }
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.storageError(error);
    }
  }

  private storageError(error: unknown): unknown {
    if (MemosError.isInstance(error)) return error;
    return new StorageError({
      message: `the Redis scheduler queue at ${redactUrl(this.url)} failed: ${errorMessage(error)}`,
      hint: "check that Redis is up and reachable (MEMOS_REDIS_URL)",
      cause: error,
    });
  }
}

/** A task hash (all strings) as the Task the contract describes. */
function hashToTask(h: Record<string, string>): Task {
  const task: Task = {
    task_id: h.task_id as string,
    label: h.label as TaskLabel,
    user_id: h.user_id as string,
    cube_id: h.cube_id as string,
    payload: parseJson(h.payload),
    idempotency_key: h.idempotency_key as string,
    status: h.status as TaskStatus,
    attempts: Number(h.attempts),
    max_attempts: Number(h.max_attempts),
    submitted_at: h.submitted_at as string,
  };
  if (h.started_at) task.started_at = h.started_at;
  if (h.finished_at) task.finished_at = h.finished_at;
  if (h.worker) task.worker = h.worker;
  if (h.result !== undefined) task.result = parseJson(h.result);
  if (h.error) task.error = parseJson(h.error) as TaskError;
  if (h.dead_letter === "1") task.dead_letter = true;
  return task;
}

/** A flat [field, value, field, value, ...] reply as an object. */
function pairs(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}

/** A Redis URL with its password hidden, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

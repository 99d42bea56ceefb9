import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import type { MemoryFilter } from "../core/schema/filter.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import type { MemCube } from "../cube/mem-cube.js";
import { describeActivation } from "../memory/activation/rebuild.js";
import { activeParametricItems } from "../memory/parametric/items.js";
import type { MemoryHistory, UpdatePatch } from "../memory/textual/types.js";
import type { PromptMemory } from "./chat-prompt.js";
import { type MosCore, openAuthorized, readScope } from "./context.js";
import { type AddInput, addToCube, type CubeSearchOptions, hitItem, searchCube } from "./cube-ops.js";
import { accessibleCubes, requireCubeAccess } from "./guard.js";
import { searchPreferences } from "./preference-seam.js";
import type { CubeRecord } from "./registry.js";
import type { Action } from "./roles.js";
import { cubeFailure, emptySearchResult, failureWarning, type MOSSearchResult } from "./search-result.js";

/** Options of `MOS.add`: what to add (messages, memoryContent and/or docPath) and where. */
export interface MOSAddOptions extends AddInput {
  userId?: string;
  /** Default: the user's default cube. The user needs write access. */
  cubeId?: string;
  sessionId?: string;
  /** "fast" (default, no LLM) or "fine" (LLM extraction). */
  mode?: "fast" | "fine";
  /** Tags on every stored memory (MemOS's `custom_tags`). */
  tags?: string[];
  /** Extra metadata fields on every stored memory, each filterable (MemOS's `info`). */
  info?: Record<string, unknown>;
  /**
   * "sync" (default): the add does all its work before returning. "async" (needs a scheduler,
   * `mos.useScheduler`): fast memories commit at once and the LLM work is queued (`mem_read` for
   * mode "fine", `pref_add`, `mem_organize`, `act_mem_update` for a cube with activation memory); see `AddResult.tasks`.
   */
  asyncMode?: "sync" | "async";
  /** Async adds to tree cubes: queue `mem_organize` for the new memories too. */
  organize?: boolean;
}

/** What `MOS.add` wrote to a cube: the memories stored, and warnings about what was not. */
export interface AddResult {
  cube_id: string;
  memories: TextualMemoryItem[];
  /** Steps after the commit that failed (tree reorganization, ...); the memories are stored regardless. */
  warnings: string[];
  /**
   * Messages skipped because the cube holds them already (idempotent ingest: a message's identity
   * is its message_id, else a hash of session, speaker, time and content). Adding the same chat
   * twice stores it once.
   */
  already_stored: number;
  /** Async adds: the follow-up tasks queued (`mem_read`, `pref_add`, `mem_organize`, `act_mem_update`). */
  tasks?: { label: string; task_id: string }[];
  /**
   * Async adds whose follow-ups the queue refused: the memories are committed all the same; those
   * awaiting their fine pass (`pending`) are tagged so a sweep queues them once there is room.
   */
  backpressure?: { code: "queue_full" | "queue_unavailable"; message: string; pending: number };
}

/** Options of `MOS.search`. */
export interface MOSSearchOptions {
  query: string;
  userId?: string;
  /** Default: every cube the user reads (own and shared). Each named cube needs read access. */
  cubeIds?: string[];
  /** Per cube (default 5, MemOS's `top_k`). */
  topK?: number;
  mode?: "fast" | "fine";
  /** Passed to each cube's search: filter, referenceTime, dedup, threshold, rerank, memoryTypes. */
  searchOptions?: CubeSearchOptions;
  /** Preference memories per cube (default `topK`); 0 leaves them out. */
  prefTopK?: number;
}

/** Where a memory-level call acts: the user, and optionally the one cube to look in. */
export interface MemoryScope {
  userId?: string;
  cubeId?: string;
}

/** A memory and the cube holding it. */
export interface LocatedMemory {
  cube_id: string;
  memory: TextualMemoryItem;
}

export const DEFAULT_SEARCH_TOP_K = 5;

export async function add(core: MosCore, userId: string, options: MOSAddOptions): Promise<AddResult> {
  const mode = options.mode ?? "fast";
  if (mode !== "fast" && mode !== "fine")
    throw new InvalidInputError({
      message: `mode must be fast or fine, got "${String(mode)}"`,
      hint: 'mode: "fast"',
    });
  const { record, cube } = await openAuthorized(
    core,
    userId,
    options.cubeId ?? core.home.defaultCubeOf(userId),
    "write",
  );
  const cubeId = record.cube_id;
  const { items, warnings, alreadyStored } = await addToCube(
    cube,
    options,
    { userId, sessionId: options.sessionId, cubeId, mode, tags: options.tags, info: options.info },
    core.llm,
  );
  return { cube_id: cubeId, memories: items, warnings, already_stored: alreadyStored };
}

export async function search(
  core: MosCore,
  userId: string,
  options: MOSSearchOptions,
): Promise<MOSSearchResult> {
  const { query } = options;
  if (typeof query !== "string" || query.trim() === "")
    throw new InvalidInputError({
      message: "the search query is empty",
      hint: 'e.g. query: "where does Alice live?"',
    });
  const topK = checkTopK(options.topK ?? DEFAULT_SEARCH_TOP_K);
  const mode = options.mode ?? "fast";
  const cubes = readScope(core, userId, options.cubeIds);
  const result = emptySearchResult();
  const perCube = await settlePerCube(cubes, async (record) => {
    const cube = await core.pool.get(record.cube_id);
    const [found, prefs, caches] = await Promise.all([
      searchCube(cube, query, { ...options.searchOptions, topK, mode, llm: core.llm }),
      options.prefTopK === 0 ? [] : searchPreferences(cube, query, options.prefTopK ?? topK),
      cube.activation ? describeActivation(cube.activation, cube.text.store) : undefined,
    ]);
    return { found, prefs, caches, adapters: activeParametricItems(cube.parametric) };
  });
  for (const outcome of perCube) {
    const { record } = outcome;
    if (!outcome.ok) {
      const failure = cubeFailure(record.cube_id, outcome.error);
      result.failed_cubes.push(failure);
      result.warnings.push(failureWarning(failure));
      continue;
    }
    const { found, prefs, caches } = outcome.value;
    result.text_mem.push({ cube_id: record.cube_id, memories: found.hits.map(hitItem) });
    if (caches) result.act_mem.push({ cube_id: record.cube_id, memories: caches });
    if (prefs.length > 0) result.pref_mem.push({ cube_id: record.cube_id, memories: prefs });
    const { adapters } = outcome.value;
    if (adapters.length > 0) result.para_mem.push({ cube_id: record.cube_id, memories: adapters });
    result.warnings.push(...found.warnings.map((w) => `${record.cube_id}: ${w}`));
  }
  return result;
}

type CubeOutcome<T> =
  | { record: CubeRecord; ok: true; value: T }
  | { record: CubeRecord; ok: false; error: unknown };

/**
 * Run `body` on every cube at once; a cube that fails is reported, not fatal, as long as one
 * answered. When all fail, the first cube's error is thrown: an empty "ok" would hide it.
 */
export async function settlePerCube<T>(
  cubes: CubeRecord[],
  body: (record: CubeRecord) => Promise<T>,
): Promise<CubeOutcome<T>[]> {
  const settled = await Promise.allSettled(cubes.map(body));
  const out = settled.map((s, i): CubeOutcome<T> => {
    const record = cubes[i] as CubeRecord;
    return s.status === "fulfilled"
      ? { record, ok: true, value: s.value }
      : { record, ok: false, error: s.reason };
  });
  const firstFailure = settled.find((s) => s.status === "rejected");
  if (firstFailure && settled.every((s) => s.status === "rejected")) throw firstFailure.reason;
  return out;
}

/**
 * The memories a chat prompt gets: the best hits over the user's readable cubes (merged by
 * score, each id once), then preference memories.
 */
export async function retrieveForChat(
  core: MosCore,
  userId: string,
  query: string,
  topK: number,
  cubeIds: string[] | undefined,
): Promise<{ memories: Omit<PromptMemory, "index">[]; warnings: string[] }> {
  const found = await search(core, userId, { query, topK, cubeIds, mode: "fast" });
  const hits = found.text_mem.flatMap((c) => c.memories.map((item) => ({ cubeId: c.cube_id, item })));
  hits.sort((a, b) => score(b.item) - score(a.item));
  const seen = new Set<string>();
  const memories: Omit<PromptMemory, "index">[] = [];
  for (const h of hits) {
    if (memories.length >= topK || seen.has(h.item.id)) continue;
    seen.add(h.item.id);
    memories.push({ memoryId: h.item.id, cubeId: h.cubeId, item: h.item });
  }
  const prefs = found.pref_mem.flatMap((c) =>
    c.memories.map((item) => ({ memoryId: item.id, cubeId: c.cube_id, item })),
  );
  for (const p of prefs.slice(0, topK)) if (!seen.has(p.memoryId)) memories.push(p);
  return { memories, warnings: found.warnings };
}

export async function get(
  core: MosCore,
  userId: string,
  memoryId: string,
  scope: MemoryScope = {},
): Promise<LocatedMemory> {
  const { record, item } = await locate(core, userId, memoryId, "read", scope.cubeId);
  return { cube_id: record.cube_id, memory: item };
}

/** Every memory of the named cube, or of each cube the user reads by default (MemOS's shape). */
export async function getAll(
  core: MosCore,
  userId: string,
  options: { cubeId?: string; limit?: number; offset?: number; filter?: MemoryFilter } = {},
): Promise<MOSSearchResult> {
  const cubes = readScope(core, userId, options.cubeId ? [options.cubeId] : undefined);
  const result = emptySearchResult();
  const perCube = await settlePerCube(cubes, async (record) => {
    const cube = await core.pool.get(record.cube_id);
    const { limit, offset, filter } = options;
    const memories = await cube.text.getAll({ limit, offset, filter });
    const total = limit === undefined && !offset ? memories.length : await cube.text.store.count(filter);
    return { memories, total };
  });
  for (const outcome of perCube) {
    if (outcome.ok) {
      const { memories, total } = outcome.value;
      result.text_mem.push({ cube_id: outcome.record.cube_id, memories, total_nodes: total });
    } else {
      const failure = cubeFailure(outcome.record.cube_id, outcome.error);
      result.failed_cubes.push(failure);
      result.warnings.push(failureWarning(failure));
    }
  }
  return result;
}

export async function update(
  core: MosCore,
  userId: string,
  memoryId: string,
  patch: UpdatePatch,
  scope: MemoryScope = {},
): Promise<LocatedMemory> {
  const { record, cube } = await locate(core, userId, memoryId, "write", scope.cubeId);
  return { cube_id: record.cube_id, memory: await cube.text.update(memoryId, patch) };
}

/** Delete memories by id; every id is found and checked before anything is deleted. */
export async function remove(
  core: MosCore,
  userId: string,
  memoryIds: string | string[],
  scope: MemoryScope = {},
): Promise<{ cube_id: string; deleted: string[] }[]> {
  const ids = [...new Set(Array.isArray(memoryIds) ? memoryIds : [memoryIds])];
  if (ids.length === 0)
    throw new InvalidInputError({ message: "no memory ids to delete", hint: "pass one id or a list" });
  const byCube = new Map<string, { cube: MemCube; ids: string[] }>();
  for (const id of ids) {
    const { record, cube } = await locate(core, userId, id, "delete", scope.cubeId);
    const entry = byCube.get(record.cube_id) ?? { cube, ids: [] };
    entry.ids.push(id);
    byCube.set(record.cube_id, entry);
  }
  const out: { cube_id: string; deleted: string[] }[] = [];
  for (const [cubeId, { cube, ids: cubeIds }] of byCube) {
    await cube.text.delete(cubeIds);
    out.push({ cube_id: cubeId, deleted: cubeIds });
  }
  return out;
}

/** Delete every memory of one cube (default: the user's default cube); the `delete` action. */
export async function removeAll(
  core: MosCore,
  userId: string,
  cubeId?: string,
): Promise<{ cube_id: string; deleted: number }> {
  const { record, cube } = await openAuthorized(
    core,
    userId,
    cubeId ?? core.home.defaultCubeOf(userId),
    "delete",
  );
  return { cube_id: record.cube_id, deleted: await cube.text.deleteAll() };
}

export async function history(
  core: MosCore,
  userId: string,
  memoryId: string,
  scope: MemoryScope = {},
): Promise<MemoryHistory & { cube_id: string }> {
  const { record, cube } = await locate(core, userId, memoryId, "read", scope.cubeId);
  return { cube_id: record.cube_id, ...(await cube.text.history(memoryId)) };
}

export async function rollback(
  core: MosCore,
  userId: string,
  memoryId: string,
  toVersion: number,
  scope: MemoryScope = {},
): Promise<LocatedMemory> {
  const { record, cube } = await locate(core, userId, memoryId, "write", scope.cubeId);
  return { cube_id: record.cube_id, memory: await cube.text.rollback(memoryId, toVersion) };
}

/**
 * Find a memory by id, only in cubes the user may read (the named one, else their default cube
 * first, then the rest they may read), then check `action` on the cube holding it. A memory in a
 * cube the user may not read is "not found": its existence is not revealed.
 */
async function locate(
  core: MosCore,
  userId: string,
  memoryId: string,
  action: Action,
  cubeId?: string,
): Promise<{ record: CubeRecord; cube: MemCube; item: TextualMemoryItem }> {
  const registry = core.home.registry;
  if (typeof memoryId !== "string" || memoryId.trim() === "")
    throw new InvalidInputError({
      message: "the memory id is empty",
      hint: "find ids with `memos list` or `memos search`",
    });
  const candidates = cubeId
    ? [requireCubeAccess(registry, userId, cubeId, "read")]
    : orderedReadable(core, userId);
  for (const record of candidates) {
    const cube = await core.pool.get(record.cube_id);
    const item = await cube.text.store.getItem(memoryId);
    if (!item) continue;
    requireCubeAccess(registry, userId, record.cube_id, action);
    return { record, cube, item };
  }
  throw new NotFoundError({
    message: `no memory ${memoryId} in ${cubeId ? `cube "${cubeId}"` : `the cubes user "${userId}" can read`}`,
    hint: "find ids with `memos list` or `memos search`",
  });
}

function orderedReadable(core: MosCore, userId: string): CubeRecord[] {
  const all = accessibleCubes(core.home.registry, userId, "read");
  const home = core.home.registry.getUser(userId)?.default_cube;
  return [...all.filter((c) => c.cube_id === home), ...all.filter((c) => c.cube_id !== home)];
}

function checkTopK(topK: number): number {
  if (!Number.isInteger(topK) || topK < 1 || topK > 1000) {
    throw new InvalidInputError({
      message: `topK must be an integer from 1 to 1000, got ${topK}`,
      hint: "e.g. topK: 10",
    });
  }
  return topK;
}

function score(item: TextualMemoryItem): number {
  const r = (item.metadata as { relativity?: unknown }).relativity;
  return typeof r === "number" ? r : 0;
}

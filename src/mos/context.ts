import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { MemCube } from "../cube/mem-cube.js";
import type { SubmitResult, TaskInput } from "../scheduler/types.js";
import type { CubePool } from "./cube-pool.js";
import { requireCubeAccess, scopeCubes } from "./guard.js";
import type { MemosHome } from "./home.js";
import type { CubeRecord } from "./registry.js";
import type { Action } from "./roles.js";

/** What MOS needs of a scheduler: somewhere to submit tasks. `MemScheduler` is one. */
export interface BackgroundTasks {
  submit(input: TaskInput): Promise<SubmitResult>;
  /** Told when an add's `mem_read` could not be queued, so a sweep can re-queue it later. */
  notePending?(userId: string, cubeId: string): void;
}

/**
 * What the MOS operations share: the home (registry + cube directories), the open cubes and the
 * LLM. Operations live in small modules taking a core, and the `MOS` class ties them together.
 */
export interface MosCore {
  readonly home: MemosHome;
  readonly pool: CubePool;
  readonly llm: LanguageModel | undefined;
  /** The scheduler adds in async mode and chat turns submit to (`MOS.useScheduler`). */
  tasks?: BackgroundTasks;
}

/** Open a cube after the ACL allowed `action` on it for `userId`. */
export async function openAuthorized(
  core: MosCore,
  userId: string,
  cubeId: string,
  action: Action,
): Promise<{ record: CubeRecord; cube: MemCube }> {
  const record = requireCubeAccess(core.home.registry, userId, cubeId, action);
  return { record, cube: await core.pool.get(record.cube_id) };
}

/**
 * The cubes a read covers: the named ones (each checked before any is searched, so a denied id
 * fails the whole call and reveals nothing), else every cube the user reads by default.
 */
export function readScope(core: MosCore, userId: string, cubeIds: string[] | undefined): CubeRecord[] {
  if (cubeIds) {
    // Two spellings of one cube ("notes", "alice/notes") are one cube.
    const records = cubeIds.map((id) => requireCubeAccess(core.home.registry, userId, id, "read"));
    return [...new Map(records.map((r) => [r.cube_id, r])).values()];
  }
  return scopeCubes(core.home.registry, userId, "read");
}

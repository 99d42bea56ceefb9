import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { readCubeConfig } from "../cube/mem-cube.js";
import { readTextualMemory } from "../memory/textual/persist.js";
import { authorizeCubeCreation } from "./acl.js";
import { type MosCore, openAuthorized } from "./context.js";
import { checkDirAccess, checkDumpTarget } from "./cube-dirs.js";
import { requireUser } from "./guard.js";
import { checkName, checkNamespace, cubeIdFor } from "./names.js";

/** Cubes in and out of MEMOS_HOME as MemOS cube directories: `dump` and `load`. */
/** Options of `MOS.dump`: whose access is checked, and whether a non-empty `dir` may be used. */
export interface DumpOptions {
  userId?: string;
  force?: boolean;
}

/** Write a cube as a MemOS cube directory; reading it is enough (a reader may see every memory anyway). */
export async function dump(
  core: MosCore,
  userId: string,
  cubeId: string,
  dir: string,
  options: DumpOptions = {},
): Promise<{ cube_id: string; dir: string; memories: number }> {
  const { record, cube } = await openAuthorized(core, userId, cubeId, "read");
  checkDumpTarget(core.home, dir);
  const out = await cube.dump(resolve(dir), { force: options.force });
  return { cube_id: record.cube_id, dir: out, memories: await cube.text.store.count() };
}

/** What `MOS.load` imported into a new cube: its id and the counts stored. */
export interface LoadResult {
  cube_id: string;
  owner: string;
  /** Memories stored (counted in the new cube, not in the source). */
  memories: number;
  edges: number;
  /** Preference memories stored, where the dump has them. */
  preferences: number;
  /** Whether the memories were embedded again (the source used another embedder). */
  reembedded: boolean;
}

/**
 * Import a cube directory (ours or MemOS's) as a new cube owned by `userId`, with id
 * `userId/NAME` as `cube create` makes them (NAME: `cubeId`, else the last part of the source's
 * cube_id, else the directory's name; a `cubeId` in someone else's namespace is refused).
 * Everything is validated before anything is made (`readTextualMemory`: dates, memory types,
 * unique ids), and the cube is registered only once it is filled: all or nothing, even if the
 * process dies midway.
 */
export async function load(
  core: MosCore,
  userId: string,
  dir: string,
  options: { cubeId?: string } = {},
): Promise<LoadResult> {
  const user = requireUser(core.home.registry, userId);
  authorizeCubeCreation(user, user);
  const source = resolve(dir);
  checkDirAccess(core.home, userId, source);
  const data = readTextualMemory(source);
  const config = existsSync(join(source, "config.json")) ? readCubeConfig(source) : undefined;
  const sourceName = config?.cube_id.slice(config.cube_id.lastIndexOf("/") + 1) || basename(source);
  const cubeId = checkName(cubeIdFor(options.cubeId ?? sourceName, userId), "cube");
  checkNamespace(cubeId, userId);
  // A dump keeps its kind of text memory; anything we cannot open is imported as general.
  const named = textBackendOf(config);
  const textBackend = named === "tree_text" || named === "naive_text" ? named : "general_text";
  let reembed = false;
  const counts = await core.home.createCubeFilled(
    cubeId,
    userId,
    { name: cubeId.slice(cubeId.indexOf("/") + 1), textBackend, llm: core.llm },
    async (cube) => {
      reembed = embedderKey(config) !== embedderKey(cube.config);
      // Text and, where the dump has them, preferences (MemCube.load validates both).
      const loaded = await cube.load(source, { reembed });
      return {
        memories: await cube.text.store.count(),
        edges: data.edges.length,
        preferences: loaded.preference,
      };
    },
  );
  return { cube_id: cubeId, owner: userId, ...counts, reembedded: reembed };
}

type CubeConfigLike = { text_mem?: unknown } | undefined;

function textBackendOf(config: CubeConfigLike): string | undefined {
  const text = config?.text_mem as { backend?: unknown } | undefined;
  return typeof text?.backend === "string" ? text.backend : undefined;
}

/** "backend:model" of a cube config's embedder: equal keys mean the stored vectors can be kept. */
function embedderKey(config: CubeConfigLike): string | undefined {
  const text = config?.text_mem as
    | { config?: { embedder?: { backend?: unknown; config?: { model_name_or_path?: unknown } } } }
    | undefined;
  const embedder = text?.config?.embedder;
  if (typeof embedder?.backend !== "string") return undefined;
  const model = embedder.config?.model_name_or_path;
  return `${embedder.backend}:${typeof model === "string" ? model : ""}`;
}

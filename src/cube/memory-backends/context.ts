import { isAbsolute, join } from "node:path";
import { createFromConfig } from "../../core/backend-registry.js";
import { StorageError } from "../../core/errors/storage-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import type { BackendConfig } from "../../core/schema/config.js";

/**
 * What a memory backend's factory gets besides its config (through `createFromConfig`'s
 * context): the cube directory its store paths are relative to, and the LLM the cube was
 * opened with (fine reading, merges, preference extraction).
 */
export interface MemoryBackendContext {
  readonly dir: string;
  readonly llm?: LanguageModel;
}

/** Store paths in a cube config are relative to the cube directory. */
export function withCubePaths(dir: string, store: BackendConfig): BackendConfig {
  const config = store.config ?? {};
  const path = config.path;
  if (typeof path === "string" && path !== ":memory:" && !isAbsolute(path)) {
    return { ...store, config: { ...config, path: join(dir, path) } };
  }
  return store;
}

/**
 * Open a cube's store; a failure names the store's file (a damaged `memory.db` or
 * `preference.db` said only "file is not a database") and keeps the store's hint.
 */
export async function openCubeStore(config: BackendConfig, what: string): Promise<MemoryStore> {
  try {
    return await createFromConfig<MemoryStore>("store", config);
  } catch (error) {
    const path = (config.config as { path?: unknown } | undefined)?.path;
    if (!StorageError.isInstance(error) || typeof path !== "string") throw error;
    throw new StorageError({
      message: `${what} store ${path}: ${error.message}`,
      hint: error.hint ?? "restore the cube from a `memos dump` export; `memos doctor` checks every database",
      cause: error,
    });
  }
}

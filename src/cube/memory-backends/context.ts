import { isAbsolute, join } from "node:path";
import { createFromConfig, listBackends } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import { StorageError } from "../../core/errors/storage-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { logger } from "../../core/logger.js";
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

/** MemOS's vector databases; a `qdrant` section with a server address uses our Qdrant store. */
export const MEMOS_VECTOR_BACKENDS: ReadonlySet<string> = new Set(["milvus", "qdrant"]);

/** Whether a MemOS qdrant section names a server (`url`, or `host`), rather than a local `path`. */
export function namesQdrantServer(named: BackendConfig): boolean {
  const config = (named.config ?? {}) as { url?: unknown; host?: unknown };
  return named.backend === "qdrant" && (Boolean(config.url) || Boolean(config.host));
}

/**
 * The store a cube section names (`at`, e.g. "pref_mem.config.vector_db"): a registered store
 * backend as configured; one of MemOS's databases (`memosBackends`) that we have no adapter for,
 * or whose section `usesAdapter` turns down → `fallback`, logged (their memories arrive through
 * the dump's JSON); anything else a ConfigError naming it. Never a silent swap.
 */
export function resolveNamedStore(
  named: BackendConfig,
  at: string,
  memosBackends: ReadonlySet<string>,
  fallback: BackendConfig,
  usesAdapter: (named: BackendConfig) => boolean = () => true,
): BackendConfig {
  const registered = listBackends("store");
  if (registered.includes(named.backend) && (!memosBackends.has(named.backend) || usesAdapter(named))) {
    return named;
  }
  if (memosBackends.has(named.backend)) {
    logger.info({ backend: named.backend, at }, "MemOS store mapped to the embedded SQLite store");
    return fallback;
  }
  throw new ConfigError({
    message: `unknown store backend "${named.backend}" in ${at}`,
    hint: `registered store backends: ${registered.join(", ")} (MemOS's ${[...memosBackends].join(", ")} map to sqlite)`,
  });
}

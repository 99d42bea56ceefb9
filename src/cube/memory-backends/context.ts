import { isAbsolute, join } from "node:path";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
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

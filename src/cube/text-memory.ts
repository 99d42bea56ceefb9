import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { createFromConfig, listBackends } from "../core/backend-registry.js";
import { ConfigError } from "../core/errors/config-error.js";
import { StorageError } from "../core/errors/storage-error.js";
import type { Embedder } from "../core/interfaces/embedder.js";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { Reranker } from "../core/interfaces/reranker.js";
import type { MemoryStore } from "../core/interfaces/store.js";
import { logger } from "../core/logger.js";
import { BackendConfig } from "../core/schema/config.js";
import { GeneralTextMemory } from "../memory/textual/general.js";
import { NaiveStoreTextMemory } from "../memory/textual/naive-store.js";
import { TreeTextMemory } from "../memory/textual/tree/tree-memory.js";
import "../providers/register-defaults.js";

/** The text memories a cube can hold. */
export type CubeTextMemory = GeneralTextMemory | TreeTextMemory;
export const TEXT_MEMORY_BACKENDS = ["general_text", "tree_text", "naive_text"] as const;

const GLOVE = { backend: "glove", config: {} };
const SQLITE = { backend: "sqlite", config: { path: "memory.db" } };

const GeneralTextConfig = z.looseObject({
  embedder: BackendConfig.default(GLOVE),
  vector_db: BackendConfig.default(SQLITE),
});

/**
 * `text_mem.config` of a `tree_text` cube. MemOS's field names are accepted: `extractor_llm`
 * (fine reading, merges, summaries; `dispatcher_llm` is used when it is absent), `embedder`,
 * `reranker`, `graph_db`, `reorganize`, `memory_size` ({WorkingMemory, LongTermMemory,
 * UserMemory}). `graph_db` (or our `vector_db`) names the store: a registered store backend is
 * used as configured; MemOS's graph databases (neo4j, nebular, polardb) are mapped to the embedded
 * SQLite store in the cube directory, since their memories arrive through `textual_memory.json`.
 */
export const TreeTextConfig = z.looseObject({
  embedder: BackendConfig.default(GLOVE),
  graph_db: BackendConfig.optional(),
  vector_db: BackendConfig.optional(),
  extractor_llm: BackendConfig.optional(),
  dispatcher_llm: BackendConfig.optional(),
  reranker: BackendConfig.nullish(),
  reorganize: z.boolean().nullish(),
  auto_upgrade: z.boolean().optional(),
  memory_size: z
    .looseObject({
      WorkingMemory: z.number().int().positive().optional(),
      LongTermMemory: z.number().int().positive().optional(),
      UserMemory: z.number().int().positive().optional(),
    })
    .nullish(),
});
export type TreeTextConfig = z.infer<typeof TreeTextConfig>;

/** MemOS graph backends we have no adapter for; their cubes use the embedded store. */
const MEMOS_GRAPH_BACKENDS = new Set(["neo4j", "neo4j-community", "nebular", "polardb"]);

export interface OpenTextMemoryOptions {
  /** The LLM for a tree memory; else the config's extractor_llm (or dispatcher_llm), else none. */
  llm?: LanguageModel;
}

/** Build a cube's text memory from its `text_mem` section (store paths relative to `dir`). */
export async function openTextMemory(
  dir: string,
  textMem: { backend: string; config?: Record<string, unknown> },
  options: OpenTextMemoryOptions = {},
): Promise<CubeTextMemory> {
  if (textMem.backend === "general_text" || textMem.backend === "naive_text") {
    const config = parseConfig(GeneralTextConfig, textMem.config, textMem.backend);
    const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
    const store = await openCubeStore(withCubePaths(dir, config.vector_db), "text memory");
    return textMem.backend === "naive_text"
      ? new NaiveStoreTextMemory({ store, embedder })
      : new GeneralTextMemory({ store, embedder });
  }
  if (textMem.backend === "tree_text") {
    const config = parseConfig(TreeTextConfig, textMem.config, "tree_text");
    const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
    const llmConfig = config.extractor_llm ?? config.dispatcher_llm;
    const llm =
      options.llm ?? (llmConfig ? await createFromConfig<LanguageModel>("llm", llmConfig) : undefined);
    const reranker = config.reranker
      ? await createFromConfig<Reranker>("reranker", config.reranker)
      : undefined;
    const store = await openCubeStore(withCubePaths(dir, treeStoreConfig(config)), "text memory");
    const size = config.memory_size ?? {};
    return new TreeTextMemory({
      store,
      embedder,
      llm,
      reranker,
      reorganize: config.reorganize ?? true,
      autoUpgrade: config.auto_upgrade ?? false,
      capacities: { working: size.WorkingMemory, longTerm: size.LongTermMemory, user: size.UserMemory },
    });
  }
  throw new ConfigError({
    message: `text_mem backend "${textMem.backend}" is not supported`,
    hint: `use one of ${TEXT_MEMORY_BACKENDS.join(", ")}; \`memos load DIR\` imports other cubes' memories`,
  });
}

/**
 * The store of a tree cube: `graph_db` (MemOS) or `vector_db` (ours); a registered store backend
 * as configured, a MemOS graph database mapped to SQLite, anything else a ConfigError naming it.
 */
export function treeStoreConfig(config: Pick<TreeTextConfig, "graph_db" | "vector_db">): BackendConfig {
  const named = config.graph_db ?? config.vector_db;
  if (!named) return SQLITE;
  const registered = listBackends("store");
  if (registered.includes(named.backend)) return named;
  if (MEMOS_GRAPH_BACKENDS.has(named.backend)) {
    logger.info(
      { backend: named.backend },
      "tree memory: MemOS graph_db mapped to the embedded SQLite store",
    );
    return SQLITE;
  }
  throw new ConfigError({
    message: `unknown store backend "${named.backend}" in text_mem.config.${config.graph_db ? "graph_db" : "vector_db"}`,
    hint: `registered store backends: ${registered.join(", ")} (MemOS's ${[...MEMOS_GRAPH_BACKENDS].join(", ")} map to sqlite)`,
  });
}

function parseConfig<S extends z.ZodType>(schema: S, raw: unknown, backend: string): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError({
      message: `text_mem.config (${backend}): ${issue?.path.join(".") || "(root)"} ${issue?.message ?? "invalid"}`,
      hint: 'each part is {backend, config}, e.g. embedder: {backend: "glove", config: {}}',
    });
  }
  return parsed.data;
}

/** Store paths in a cube config are relative to the cube directory. */
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

export function withCubePaths(dir: string, store: BackendConfig): BackendConfig {
  const config = store.config ?? {};
  const path = config.path;
  if (typeof path === "string" && path !== ":memory:" && !isAbsolute(path)) {
    return { ...store, config: { ...config, path: join(dir, path) } };
  }
  return store;
}

import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { BackendConfig } from "../../core/schema/config.js";
import { GeneralTextMemory } from "../../memory/textual/general.js";
import { NaiveStoreTextMemory } from "../../memory/textual/naive-store.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import "../../providers/register-all.js";
import "../../storage/register-neo4j.js";
import "../../storage/register-postgres.js";
import "../../storage/register-qdrant.js";
import "../../storage/register-sqlite.js";
import {
  MEMOS_VECTOR_BACKENDS,
  type MemoryBackendContext,
  namesQdrantServer,
  openCubeStore,
  resolveNamedStore,
  withCubePaths,
} from "./context.js";

/** The text memories a cube can hold. */
export type CubeTextMemory = GeneralTextMemory | TreeTextMemory;
/** `text_mem` backends registered here (MemOS's names). */
export const TEXT_MEMORY_BACKENDS = ["general_text", "tree_text", "naive_text"] as const;

const GLOVE = { backend: "glove", config: {} };
const SQLITE = { backend: "sqlite", config: { path: "memory.db" } };

/** `text_mem.config` of a `general_text` or `naive_text` cube. */
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

/** Options when opening a cube's text memory: the LLM a tree memory uses. */
export interface OpenTextMemoryOptions {
  /** The LLM for a tree memory; else the config's extractor_llm (or dispatcher_llm), else none. */
  llm?: LanguageModel;
}

/**
 * Build a cube's text memory from its `text_mem` section (store paths relative to `dir`),
 * through the backend registry: `registerBackend("text_memory", name, factory, schema)` adds one.
 */
export async function openTextMemory(
  dir: string,
  textMem: { backend: string; config?: Record<string, unknown> },
  options: OpenTextMemoryOptions = {},
): Promise<CubeTextMemory> {
  const context: MemoryBackendContext = { dir, llm: options.llm };
  return createFromConfig<CubeTextMemory>("text_memory", textMem, context);
}

async function openStoreBacked(
  config: z.output<typeof GeneralTextConfig>,
  ctx: MemoryBackendContext,
): Promise<{ store: MemoryStore; embedder: Embedder }> {
  const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
  // MemOS's general memory names qdrant (or milvus): our Qdrant store when a server is named.
  const named = resolveNamedStore(
    config.vector_db,
    "text_mem.config.vector_db",
    MEMOS_VECTOR_BACKENDS,
    SQLITE,
    namesQdrantServer,
  );
  const store = await openCubeStore(withCubePaths(ctx.dir, named), "text memory");
  return { store, embedder };
}

registerBackend(
  "text_memory",
  "general_text",
  async (config, ctx: MemoryBackendContext) => new GeneralTextMemory(await openStoreBacked(config, ctx)),
  GeneralTextConfig,
);

registerBackend(
  "text_memory",
  "naive_text",
  async (config, ctx: MemoryBackendContext) => new NaiveStoreTextMemory(await openStoreBacked(config, ctx)),
  GeneralTextConfig,
);

registerBackend(
  "text_memory",
  "tree_text",
  async (config, ctx: MemoryBackendContext) => {
    const embedder = await createFromConfig<Embedder>("embedder", config.embedder);
    const llmConfig = config.extractor_llm ?? config.dispatcher_llm;
    const llm = ctx.llm ?? (llmConfig ? await createFromConfig<LanguageModel>("llm", llmConfig) : undefined);
    const reranker = config.reranker
      ? await createFromConfig<Reranker>("reranker", config.reranker)
      : undefined;
    const store = await openCubeStore(withCubePaths(ctx.dir, treeStoreConfig(config)), "text memory");
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
  },
  TreeTextConfig,
);

/**
 * The store of a tree cube: `graph_db` (MemOS) or `vector_db` (ours); a registered store backend
 * as configured, a MemOS graph database mapped to SQLite, anything else a ConfigError naming it.
 */
export function treeStoreConfig(config: Pick<TreeTextConfig, "graph_db" | "vector_db">): BackendConfig {
  const named = config.graph_db ?? config.vector_db;
  if (!named) return SQLITE;
  const at = `text_mem.config.${config.graph_db ? "graph_db" : "vector_db"}`;
  // A MemOS graph_db keeps mapping to SQLite even where we have an adapter (neo4j): MemOS's own
  // Neo4j holds MemOS's nodes, which our schema must not mix with. Our vector_db key opts in.
  return resolveNamedStore(named, at, MEMOS_GRAPH_BACKENDS, SQLITE, () => !config.graph_db);
}

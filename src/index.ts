/**
 * MemOS-TS: a memory operating system for LLM applications. This is the public API, a list we
 * chose: building blocks live in `memos-ts/internal`, conformance suites and test doubles for
 * third-party backends in `memos-ts/test`.
 *
 * @example
 * import { MemCube } from "memos-ts";
 * const cube = await MemCube.create("./cube", { cubeId: "me/notes", userId: "me" });
 * await cube.text.addMessages([{ role: "user", content: "I live in Lisbon" }]);
 * const hits = await cube.text.search("where do I live?");
 *
 * @module
 */

// Registers the built-in backends (stores, providers, memory types) so configs resolve.
import "./register-all.js";

// CLI
export { runCli } from "./cli/main.js";
// Configuration and the backend registry
export {
  type BackendFactory,
  type BackendKind,
  createFromConfig,
  hasBackend,
  listBackends,
  registerBackend,
} from "./core/backend-registry.js";
// Errors
export { AccessDeniedError } from "./core/errors/access-denied-error.js";
export { AuthenticationError } from "./core/errors/authentication-error.js";
export { ConfigError } from "./core/errors/config-error.js";
export { InvalidInputError } from "./core/errors/invalid-input-error.js";
export { LLMOutputError } from "./core/errors/llm-output-error.js";
export { MemosError, type MemosErrorCode } from "./core/errors/memos-error.js";
export { MissingDependencyError } from "./core/errors/missing-dependency-error.js";
export { NotFoundError } from "./core/errors/not-found-error.js";
export { ProviderError } from "./core/errors/provider-error.js";
export { QueueFullError } from "./core/errors/queue-full-error.js";
export { StorageError } from "./core/errors/storage-error.js";
// Models: interfaces, providers, generation
export { type Embedder, embedMany } from "./core/interfaces/embedder.js";
export type {
  FinishReason,
  GenerateOptions,
  GenerateResult,
  JsonSchema,
  LanguageModel,
  LLMMessage,
  StreamPart,
  TokenUsage,
} from "./core/interfaces/language-model.js";
export type { Reranker } from "./core/interfaces/reranker.js";
// Storage
export type {
  ListOptions,
  MemoryStore,
  NeighborOptions,
  ScoredId,
  SearchOptions,
  StoredItem,
  Subgraph,
} from "./core/interfaces/store.js";
export { BackendConfig } from "./core/schema/config.js";
// Data model and filters
export { type FilterNode, type MemoryFilter, matchesFilter, normalizeFilter } from "./core/schema/filter.js";
export {
  EdgeType,
  MemoryEdge,
  MemorySource,
  MemoryStatus,
  MemoryType,
  TextualMemoryExport,
  TextualMemoryItem,
  type TextualMemoryItemInput,
  TextualMemoryMetadata,
  type TextualMemoryMetadataInput,
} from "./core/schema/memory.js";
// MemCube: a directory of memories (MemOS layout)
export { type CubeTextBackend, MemCubeConfig } from "./cube/config.js";
export { type CubeMemoryType, MemCube } from "./cube/mem-cube.js";
export type { MemoryBackendContext } from "./cube/memory-backends/context.js";
export type { CubeTextMemory, OpenTextMemoryOptions } from "./cube/memory-backends/text-backends.js";
export type { RemoteCubeOptions } from "./cube/remote.js";
// Memory types
export { KVCacheMemory } from "./memory/activation/kv-cache-memory.js";
export { rebuildActivationMemory } from "./memory/activation/rebuild.js";
export type { ActivationEngine, KVCacheItem } from "./memory/activation/types.js";
export { type AdaptedModel, adaptChatModel } from "./memory/parametric/adapted-model.js";
export {
  LoRAAdapterError,
  type LoRAAdapterProblem,
  LoRATrainingUnavailableError,
} from "./memory/parametric/errors.js";
export { modelFingerprint } from "./memory/parametric/gguf-info.js";
export type { AdapterRecord } from "./memory/parametric/index-file.js";
export { type ParametricMemoryItem, toParametricItem } from "./memory/parametric/items.js";
export {
  type ActiveAdapter,
  type AddAdapterOptions,
  LoRAMemory,
  type LoRAMemoryOptions,
  type ParametricCapabilities,
} from "./memory/parametric/lora-memory.js";
export { GeneralTextMemory, type GeneralTextMemoryOptions } from "./memory/textual/general.js";
export { NaiveTextMemory } from "./memory/textual/naive.js";
export { PreferenceTextMemory } from "./memory/textual/preference/preference-memory.js";
export type {
  PreferenceAddContext,
  PreferenceAddResult,
  PreferenceSearchOptions,
  PreferenceTextMemoryOptions,
  PreferenceType,
} from "./memory/textual/preference/types.js";
export type { MemoryCapacities } from "./memory/textual/tree/capacities.js";
export { TreeTextMemory } from "./memory/textual/tree/tree-memory.js";
export type {
  TreeAddReport,
  TreeAddResult,
  TreeTextMemoryOptions,
} from "./memory/textual/tree/types.js";
export type {
  AddContext,
  GetAllOptions,
  MemoryHistory,
  MemoryInput,
  TextMemory,
  TextSearchOptions,
  UpdatePatch,
} from "./memory/textual/types.js";
// MOS: users, roles, cubes, sharing, memory-augmented chat
export { authorize } from "./mos/acl.js";
export type { CubeInfo, UserInfo } from "./mos/admin.js";
export type { ChatOptions, ChatResult, ChatStream } from "./mos/chat.js";
export type { ChatTurnMessage } from "./mos/chat-history.js";
export type { Citation, DroppedCitation } from "./mos/citations.js";
export type { DumpOptions, LoadResult } from "./mos/cube-transfer.js";
export { type CreateCubeOptions, MemosHome } from "./mos/home.js";
export type {
  AddResult,
  LocatedMemory,
  MemoryScope,
  MOSAddOptions,
  MOSSearchOptions,
} from "./mos/memories.js";
export { MOS, type MOSOptions } from "./mos/mos.js";
export { Action, Permission, Role } from "./mos/roles.js";
export type { CubeMemories, MOSSearchResult } from "./mos/search-result.js";
export { createBm25Reranker } from "./providers/bm25-reranker/bm25-reranker.js";
export { createCosineReranker } from "./providers/cosine-reranker/cosine-reranker.js";
export { type CustomEmbedderOptions, createCustomEmbedder } from "./providers/custom/custom-embedder.js";
export {
  type CustomLanguageModelOptions,
  createCustomLanguageModel,
} from "./providers/custom/custom-language-model.js";
export { createGloveEmbedder, type GloveEmbedderOptions } from "./providers/glove/glove-embedder.js";
export { createHttpReranker, type HttpRerankerOptions } from "./providers/http-reranker/http-reranker.js";
export { createLlamaCppEmbedder } from "./providers/llama-cpp/llama-cpp-embedder.js";
export {
  createLlamaCpp,
  LlamaCppLanguageModel,
  type LlamaCppOptions,
} from "./providers/llama-cpp/llama-cpp-language-model.js";
export { createLlamaCppReranker } from "./providers/llama-cpp/llama-cpp-reranker.js";
export { createLlmReranker } from "./providers/llm-reranker/llm-reranker.js";
export type { OllamaProviderOptions } from "./providers/ollama/ollama-client.js";
export { createOllama, type OllamaProvider } from "./providers/ollama/ollama-provider.js";
export type { OpenAIProviderOptions } from "./providers/openai/openai-client.js";
export type { OpenAIPresetName } from "./providers/openai/openai-presets.js";
export { createOpenAI, type OpenAIProvider } from "./providers/openai/openai-provider.js";
export { embedderFromEnv, languageModelFromEnv } from "./providers/shared/from-env.js";
export { type GenerateObjectResult, generateObject } from "./providers/shared/generate-object.js";
export { generateText, streamText } from "./providers/shared/generate-text.js";
export {
  createTransformersEmbedder,
  type TransformersEmbedderOptions,
} from "./providers/transformers/transformers-embedder.js";
// Readers: chat and documents to memories
export { ChatMessage, type ChatMessageInput, type ChatSession, parseChatFile } from "./reader/chat-schema.js";
export { FastMemReader } from "./reader/fast-reader.js";
export { FineMemReader, type FineReaderOptions } from "./reader/fine-reader.js";
export { loadDocumentFile } from "./reader/parsers/load.js";
export type { FastReaderOptions, MemReader, ReadContext } from "./reader/types.js";
// Search results
export type {
  DedupMode,
  RecallPath,
  RelevantSubgraph,
  SearchHit,
  SearchMode,
  SubgraphOptions,
  TreeSearchOptions,
  TreeSearchResult,
} from "./retrieve/types.js";
// Scheduler: background tasks (async adds, fine passes, preferences, working-memory refresh)
export { createMosHandlers, type FeedbackApplier } from "./scheduler/handlers/index.js";
export {
  type Backpressure,
  MemScheduler,
  type MemSchedulerOptions,
  type SchedulerStatus,
  type WaitOutcome,
} from "./scheduler/mem-scheduler.js";
export {
  createLocalMosScheduler,
  createMosScheduler,
  type MosSchedulerOptions,
} from "./scheduler/mos-scheduler.js";
export type {
  Task,
  TaskContext,
  TaskHandler,
  TaskInput,
  TaskLabel,
  TaskQueue,
  TaskStatus,
} from "./scheduler/types.js";
export {
  createNeo4jMemoryStore,
  Neo4jMemoryStore,
  type Neo4jStoreOptions,
} from "./storage/neo4j/index.js";
export {
  createPostgresMemoryStore,
  PostgresMemoryStore,
  type PostgresMemoryStoreOptions,
} from "./storage/postgres/store.js";
export {
  createQdrantVectorStore,
  type QdrantStoreOptions,
  QdrantVectorStore,
} from "./storage/qdrant/index.js";
export {
  createSqliteMemoryStore,
  SqliteMemoryStore,
  type SqliteMemoryStoreOptions,
} from "./storage/sqlite/store.js";

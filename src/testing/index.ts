/**
 * Test kit for MemOS-TS and for third parties writing their own providers: a scripted language
 * model, an HTTP fixture server for recorded provider responses, and the store, task-queue, language-model
 * and embedder conformance suites every built-in store and provider runs (published as `memos-ts/test`).
 *
 * @module
 */
export {
  CONFORMANCE_TEXTS,
  type EmbedderConformanceCase,
  type EmbedderConformanceOptions,
  runEmbedderConformance,
} from "./embedder-conformance.js";
export { fakeEmbedding } from "./fake-embedding.js";
export {
  type FixtureResponse,
  type FixtureServer,
  type RecordedRequest,
  readFixture,
  startFixtureServer,
} from "./fixture-server.js";
export {
  CONFORMANCE_OBJECT_PROMPT,
  CONFORMANCE_OBJECT_SCHEMA,
  CONFORMANCE_TEXT_PROMPT,
  type LanguageModelConformanceCase,
  type LanguageModelConformanceOptions,
  runLanguageModelConformance,
} from "./language-model-conformance.js";
export { type QueueConformanceConfig, runQueueConformance } from "./queue-conformance.js";
export {
  createScriptedLanguageModel,
  type ScriptedCall,
  type ScriptedLanguageModel,
  type ScriptedLanguageModelOptions,
  type ScriptedMatch,
  type ScriptedReply,
  type ScriptedRule,
} from "./scripted-language-model.js";
export { runStoreConformance, type StoreConformanceOptions } from "./store-conformance.js";

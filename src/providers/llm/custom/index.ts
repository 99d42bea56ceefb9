/**
 * Models from your own functions (`createCustomLanguageModel`) and a rule-driven test double
 * (`createScriptedLanguageModel`).
 *
 * @module
 */
export { type CustomLanguageModelOptions, createCustomLanguageModel } from "./custom-model.js";
export {
  createScriptedLanguageModel,
  type ScriptedCall,
  type ScriptedLanguageModel,
  type ScriptedLanguageModelOptions,
  type ScriptedMatch,
  type ScriptedReply,
  type ScriptedRule,
} from "./scripted.js";

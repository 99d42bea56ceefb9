import type { z } from "zod";
import { LLMOutputError } from "../core/errors/llm-output-error.js";
import { ProviderError } from "../core/errors/provider-error.js";
import type { GenerateOptions, LanguageModel, LLMMessage } from "../core/interfaces/language-model.js";
import { logger } from "../core/logger.js";
import { generateObject } from "../providers/shared/generate-object.js";

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A model or embedder call whose failure must not stop the reorganizer: LLMOutputError and
 * ProviderError become `{ok: false}` (logged at warn), so the caller leaves the memories as
 * they are. Anything else (a storage error, a bug) is thrown.
 */
export async function attempt<T>(what: string, fn: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (LLMOutputError.isInstance(error) || ProviderError.isInstance(error)) {
      logger.warn({ err: error.message, what }, "reorganizer: model call failed; memories left unchanged");
      return { ok: false, error: error.message };
    }
    throw error;
  }
}

/** generateObject through {@link attempt}. */
export function askObject<S extends z.ZodType>(
  what: string,
  llm: LanguageModel,
  messages: LLMMessage[],
  schema: S,
  options: GenerateOptions,
): Promise<Attempt<z.output<S>>> {
  return attempt(
    what,
    async () => (await generateObject(llm, messages, schema, { ...options, schemaName: what })).object,
  );
}

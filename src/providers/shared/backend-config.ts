/**
 * Builds a backend's config schema: keys normalised through the alias table
 * ({@link normalizeConfigKeys}), then validated strictly, so a misspelt or unimplemented option
 * is a ConfigError naming what the backend accepts instead of a setting silently dropped.
 *
 * @module
 */
import { z } from "zod";
import { normalizeConfigKeys } from "./config-aliases.js";

export interface BackendConfigOptions {
  /** Keys this backend accepts without effect, with why (e.g. OpenAI has no `top_k`). */
  inert?: Readonly<Record<string, string>>;
}

/**
 * A strict object schema over canonical keys, behind the alias normalisation.
 *
 * @example
 * const Config = backendConfig({ model_name_or_path: modelName, context_size: z.number().optional() });
 * Config.parse({ modelPath: "m.gguf", n_ctx: 2048 }); // { model_name_or_path: "m.gguf", context_size: 2048 }
 * Config.parse({ model: "m", n_gpu_layers: 9 });      // throws: unknown option "n_gpu_layers" (accepted: ...)
 */
export function backendConfig<S extends z.ZodRawShape>(shape: S, options: BackendConfigOptions = {}) {
  const accepted = Object.keys(shape).sort();
  return z.preprocess((input, ctx) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
    const { config, problems } = normalizeConfigKeys(input as Record<string, unknown>, options.inert);
    for (const p of problems) ctx.addIssue({ code: "custom", message: p.message, path: [p.key] });
    for (const key of Object.keys(config)) {
      if (!(key in shape)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown option "${key}" (accepted: ${accepted.join(", ") || "none"})`,
          path: [key],
        });
      }
    }
    return config;
  }, z.strictObject(shape));
}

/** The model id or path, required. */
export const modelName = z.string({ error: "is required (the model id or path)" }).min(1);

/** Settings every remote chat backend takes. */
export const remoteChatFields = {
  model_name_or_path: modelName,
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  remove_think_prefix: z.boolean().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  headers: z.record(z.string(), z.string()).optional(),
};

/** Settings every remote embedder takes. */
export const remoteEmbedderFields = {
  model_name_or_path: modelName,
  embedding_dims: z.number().int().positive().optional(),
  max_batch: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  headers: z.record(z.string(), z.string()).optional(),
};

/** Drops `undefined` values so they do not override a factory's defaults. */
export function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

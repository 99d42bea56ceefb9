import type { z } from "zod";
import { ConfigError } from "./errors/config-error.js";
import { BackendConfig } from "./schema/config.js";

/** The kinds of pluggable parts. Users may register other kinds too (their own memory modules). */
export type BackendKind =
  | "embedder"
  | "llm"
  | "reranker"
  | "store"
  | "text_memory"
  | "act_memory"
  | "para_memory"
  | "pref_memory"
  | (string & {});

/**
 * Builds a backend from its validated config. `context` carries what the caller knows and the
 * config cannot say (a memory backend gets its cube directory and LLM); providers ignore it.
 */
export type BackendFactory<C, T, X = unknown> = (config: C, context: X) => T | Promise<T>;

interface Entry {
  schema: z.ZodType;
  factory: BackendFactory<unknown, unknown, unknown>;
}

const registry = new Map<string, Map<string, Entry>>();

/**
 * Register a backend so `{backend: name, config}` resolves to it wherever a config names one.
 * The schema validates (and fills defaults of) the config before the factory sees it.
 *
 * @example
 * registerBackend("embedder", "my-embedder", (c) => new MyEmbedder(c), z.object({ url: z.string() }));
 * const e = await createFromConfig("embedder", { backend: "my-embedder", config: { url: "..." } });
 */
export function registerBackend<S extends z.ZodType, T, X = unknown>(
  kind: BackendKind,
  name: string,
  factory: BackendFactory<z.output<S>, T, X>,
  schema: S,
): void {
  let byName = registry.get(kind);
  if (!byName) {
    byName = new Map();
    registry.set(kind, byName);
  }
  byName.set(name, { schema, factory: factory as BackendFactory<unknown, unknown, unknown> });
}

/** Names registered for a kind, for error hints and `memos doctor`. */
export function listBackends(kind: BackendKind): string[] {
  return [...(registry.get(kind)?.keys() ?? [])].sort();
}

/** Whether `name` is registered for `kind`. */
export function hasBackend(kind: BackendKind, name: string): boolean {
  return registry.get(kind)?.has(name) ?? false;
}

/**
 * Resolve `{backend, config}` through the registry. Throws ConfigError with the known names.
 * `context` is handed to the factory unchanged (see {@link BackendFactory}).
 */
export async function createFromConfig<T = unknown>(
  kind: BackendKind,
  input: unknown,
  context?: unknown,
): Promise<T> {
  const parsed = BackendConfig.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError({
      message: `${kind} config must be {backend, config}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
      hint: `e.g. {"backend": "${listBackends(kind)[0] ?? "name"}", "config": {}}`,
    });
  }
  const entry = registry.get(kind)?.get(parsed.data.backend);
  if (!entry) {
    const known = listBackends(kind);
    throw new ConfigError({
      message: `unknown ${kind} backend "${parsed.data.backend}"`,
      hint: known.length
        ? `known ${kind} backends: ${known.join(", ")}`
        : `register one with registerBackend("${kind}", ...)`,
    });
  }
  const config = entry.schema.safeParse(parsed.data.config);
  if (!config.success) {
    const issue = config.error.issues[0];
    throw new ConfigError({
      message:
        `invalid config for ${kind} backend "${parsed.data.backend}": ${issue?.path.join(".") || "(root)"} ${issue?.message ?? ""}`.trim(),
      hint: "check the config against the backend's documentation",
    });
  }
  return (await entry.factory(config.data, context)) as T;
}

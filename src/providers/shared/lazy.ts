/**
 * Lazy loading of optional packages. Backends import their client library (openai, ollama,
 * node-llama-cpp, pg, ...) only when first used, so the library works without them and a
 * missing one fails with an error that says what to install.
 *
 * @module
 */
import { MissingDependencyError } from "../../core/errors/missing-dependency-error.js";

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageRoot(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Whether `error` says that `pkg` itself (not something it imports) could not be found. */
function isNotFound(error: unknown, pkg: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  const named = text.includes(`'${pkg}'`) || text.includes(`"${pkg}"`) || text.includes(` ${pkg} `);
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return named;
  // Vite's module runner (vitest) words it differently and sets no code.
  return named && /cannot find (package|module)|failed to (load|resolve)/i.test(text);
}

/**
 * Import an optional package; a missing one becomes a {@link MissingDependencyError} whose hint
 * is the `npm install` line. Errors inside the package (or a missing dependency of it) pass
 * through unchanged, so they are not misreported as "not installed".
 *
 * @param pkg     module specifier, e.g. "openai" or "@huggingface/transformers"
 * @param feature what needs it, for the message, e.g. "the OpenAI backend"
 * @example
 * const { default: OpenAI } = await importOptional<typeof import("openai")>("openai", "the OpenAI backend");
 */
export async function importOptional<T>(pkg: string, feature: string): Promise<T> {
  const root = packageRoot(pkg);
  try {
    return (await import(pkg)) as T;
  } catch (error) {
    if (isNotFound(error, root) || isNotFound(error, pkg)) {
      throw new MissingDependencyError({
        message: `${feature} needs the optional package "${root}", which is not installed`,
        hint: `npm install ${root}`,
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Shared node-llama-cpp runtime: the lazily imported module, one `Llama` per GPU setting and one
 * loaded model per file. The chat model, the embedder and the reranker all go through here, so a
 * GGUF used for both chat and embeddings is mapped into memory once.
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import { importOptional } from "../shared/lazy.js";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Where to run: `false` = CPU only (the default: predictable, works everywhere), or a backend. */
export type LlamaGpu = false | "auto" | "cuda" | "vulkan" | "metal";

export const PROVIDER = "llama-cpp";
const PACKAGE = "node-llama-cpp";

let modulePromise: Promise<NodeLlamaCpp> | undefined;

/**
 * Import node-llama-cpp once. `specifier` exists for tests that simulate a missing install.
 *
 * @example
 * const { getLlama } = await loadNodeLlamaCpp();
 */
export function loadNodeLlamaCpp(specifier: string = PACKAGE): Promise<NodeLlamaCpp> {
  if (specifier !== PACKAGE) return importOptional<NodeLlamaCpp>(specifier, "the llama-cpp backend");
  modulePromise ??= importOptional<NodeLlamaCpp>(PACKAGE, "the llama-cpp backend").catch((error: unknown) => {
    modulePromise = undefined; // let a later call retry (e.g. after `npm install`)
    throw error;
  });
  return modulePromise;
}

const llamas = new Map<string, Promise<Llama>>();

/**
 * The `Llama` instance for a GPU setting. `build: "never"`: use the prebuilt binaries that ship
 * with node-llama-cpp; compiling llama.cpp on first use would take minutes and need cmake.
 */
export function getLlamaFor(gpu: LlamaGpu = false): Promise<Llama> {
  const key = String(gpu);
  let llama = llamas.get(key);
  if (!llama) {
    llama = loadNodeLlamaCpp().then(async (m) => {
      try {
        return await m.getLlama({ gpu, build: "never", logLevel: m.LlamaLogLevel.error });
      } catch (error) {
        throw new ProviderError({
          provider: PROVIDER,
          message: `node-llama-cpp could not load a llama.cpp binary (gpu: ${key}): ${errorMessage(error)}`,
          hint:
            gpu === false
              ? "reinstall node-llama-cpp so its prebuilt binary for this platform is present"
              : "use gpu: false, or install the GPU runtime node-llama-cpp expects for this backend",
          cause: error,
        });
      }
    });
    llama.catch(() => llamas.delete(key));
    llamas.set(key, llama);
  }
  return llama;
}

const models = new Map<string, Promise<LlamaModel>>();

/**
 * Load (or reuse) the model at `modelPath`. Loaded models stay cached for the process: weights
 * are memory-mapped, and reloading per call would cost seconds on real models.
 */
export function loadLlamaModel(modelPath: string, gpu: LlamaGpu = false): Promise<LlamaModel> {
  const file = path.resolve(modelPath);
  const key = `${String(gpu)}\0${file}`;
  let model = models.get(key);
  if (!model) {
    model = (async () => {
      assertModelFile(file);
      const llama = await getLlamaFor(gpu);
      try {
        return await llama.loadModel({ modelPath: file });
      } catch (error) {
        throw new ProviderError({
          provider: PROVIDER,
          message: `llama.cpp could not load ${file}: ${errorMessage(error)}`,
          hint: "check that the file is a complete GGUF model supported by this node-llama-cpp version",
          cause: error,
        });
      }
    })();
    model.catch(() => models.delete(key));
    models.set(key, model);
  }
  return model;
}

/** Throws NotFoundError (with a hint) unless `file` is an existing regular file. */
export function assertModelFile(file: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (!stat?.isFile()) {
    throw new NotFoundError({
      message: `GGUF model file not found: ${file}`,
      hint: stat?.isDirectory()
        ? "pass the path of the .gguf file inside that folder, not the folder"
        : "download a GGUF model (e.g. from huggingface.co) and pass its path as modelPath",
    });
  }
}

/** `hf:` and `https:` URIs are resolved by node-llama-cpp; anything else is a local path. */
export function isModelUri(value: string): boolean {
  return /^(hf|huggingface|https?):/i.test(value);
}

/**
 * Turn a model URI (`hf:user/repo:Q4_K_M`, `hf:user/repo/file.gguf`, `https://...`) into a local
 * file path via node-llama-cpp's `resolveModelFile`, which reuses an already-downloaded copy. With
 * `download: false`, or when the download fails (no network), the error says to download the file
 * and pass its path instead.
 */
export async function resolveModelUri(
  uri: string,
  options: { download?: boolean; directory?: string; signal?: AbortSignal } = {},
): Promise<string> {
  const m = await loadNodeLlamaCpp();
  try {
    return await m.resolveModelFile(uri, {
      download: options.download === false ? false : "auto",
      cli: false,
      ...(options.directory ? { directory: options.directory } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw new ProviderError({
      provider: PROVIDER,
      message: `could not resolve model ${uri}${options.download === false ? " (downloads disabled)" : ""}: ${errorMessage(error)}`,
      hint: "download the GGUF and pass its path as modelPath (this machine may have no network access)",
      retryable: options.download !== false,
      cause: error,
    });
  }
}

/**
 * Wrap an unexpected error from node-llama-cpp in a ProviderError; our own typed errors and
 * aborts pass through unchanged.
 */
export function toProviderError(error: unknown, what: string): unknown {
  if (MemosError.isInstance(error)) return error;
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return error;
  return new ProviderError({ provider: PROVIDER, message: `${what}: ${errorMessage(error)}`, cause: error });
}

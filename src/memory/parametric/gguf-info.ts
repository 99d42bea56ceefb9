/**
 * What a GGUF file's header says (architecture, type, tensor shapes), and a cheap fingerprint of
 * a model file, for deciding whether a LoRA adapter belongs to a model.
 *
 * @module
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage } from "../../core/errors/error-message.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { sampledFileHash } from "../../core/file-hash.js";
import { loadNodeLlamaCpp } from "../../providers/llama-cpp/llama-cpp-runtime.js";
import { LoRAAdapterError } from "./errors.js";

/** One tensor of a GGUF: its name and dimensions (ggml order, innermost first). */
export interface GgufTensorShape {
  name: string;
  dims: number[];
}

/** The parts of a GGUF header that decide adapter compatibility. */
export interface GgufHeader {
  file: string;
  architecture: string | undefined;
  /** `general.type`: "model", "adapter", … (absent in older model files). */
  type: string | undefined;
  /** `general.name`, for display. */
  name: string | undefined;
  /** `adapter.type` ("lora", "control_vector", …) when the file is an adapter. */
  adapterType: string | undefined;
  /** `adapter.lora.alpha` of a LoRA adapter. */
  loraAlpha: number | undefined;
  tensors: GgufTensorShape[];
}

// The tokenizer's arrays are most of a model's header and say nothing about compatibility.
const SKIPPED_KEYS = [
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.scores",
  "tokenizer.ggml.token_type",
  "tokenizer.ggml.merges",
];

/**
 * Read a GGUF's header from the local file system (never a URL: a name a user typed is not
 * fetched). A file that is not GGUF is a {@link LoRAAdapterError} "not_gguf".
 */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = resolve(path);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new NotFoundError({ message: `no file at ${file}`, hint: "pass the path of a .gguf file" });
  }
  const { readGgufFileInfo } = await loadNodeLlamaCpp();
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(file, {
      sourceType: "filesystem",
      logWarnings: false,
      ignoreKeys: SKIPPED_KEYS,
    });
  } catch (cause) {
    throw new LoRAAdapterError({
      problem: "not_gguf",
      message: `${file} is not a readable GGUF file: ${errorMessage(cause)}`,
      hint: "LoRA adapters are GGUF files (convert a PEFT adapter with llama.cpp's convert_lora_to_gguf.py)",
      cause,
    });
  }
  const meta = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = meta.general ?? {};
  const adapter = meta.adapter ?? {};
  const lora = adapter.lora as Record<string, unknown> | undefined;
  return {
    file,
    architecture: stringOr(general.architecture),
    type: stringOr(general.type),
    name: stringOr(general.name),
    adapterType: stringOr(adapter.type),
    loraAlpha: typeof lora?.alpha === "number" ? lora.alpha : undefined,
    tensors: (info.fullTensorInfo ?? info.tensorInfo ?? []).map((t) => ({
      name: t.name,
      dims: t.dimensions.map((d) => Number(d)),
    })),
  };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const FINGERPRINT_SCHEME = "gguf-sample-v2";

/**
 * A fingerprint of a model file that is cheap for multi-GB models: the sampled content hash KV
 * states use too (its size and 64 windows of 64 KiB spread across the file, header and tail
 * included), so another model, another quantisation or another fine-tune, even one that differs
 * only in middle layers, gives another fingerprint. Cached per file (path, size, mtime).
 *
 * @example
 * const fp = modelFingerprint("./models/qwen2.5-0.5b-instruct-q4_k_m.gguf"); // "gguf-sample-v2:9c1e…"
 */
export function modelFingerprint(path: string): string {
  const file = resolve(path);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    throw new NotFoundError({
      message: `no model file at ${file}`,
      hint: "pass the path of the base model's .gguf",
    });
  }
  return `${FINGERPRINT_SCHEME}:${sampledFileHash(file)}`;
}

import fs from "node:fs";
import path from "node:path";
import { errorMessage } from "../../core/errors/error-message.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { l2Normalize } from "../../core/math/vector.js";
import { checkEmbedInput } from "../shared/embed-input.js";
import { importOptional } from "../shared/lazy.js";

type Transformers = typeof import("@huggingface/transformers");
type FeatureExtractor = Awaited<ReturnType<Transformers["pipeline"]>> &
  ((
    texts: string[],
    options: { pooling: "mean" | "cls"; normalize: boolean },
  ) => Promise<{ data: unknown; dims: number[] }>);

/** Options of {@link createTransformersEmbedder}: the local ONNX model folder, pooling and normalisation. */
export interface TransformersEmbedderOptions {
  /**
   * A local model folder exported for transformers.js: `config.json`, `tokenizer.json`
   * (+ `tokenizer_config.json`) and `onnx/model.onnx` (or `onnx/model_<dtype>.onnx`).
   */
  modelPath: string;
  /** How token vectors become one sentence vector. Default "mean" (sentence-transformers style). */
  pooling?: "mean" | "cls";
  /** L2-normalise the vectors. Default true. */
  normalize?: boolean;
  /**
   * Keep only the first N dimensions (Matryoshka models such as nomic-embed-text-v1.5), then
   * renormalise. Default: the model's full size.
   */
  dimensions?: number;
  /** Which ONNX weights to load: "fp32" (model.onnx), "q8" (model_quantized.onnx), "fp16", … */
  dtype?: "auto" | "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4" | "bnb4" | "q4f16";
  /** Texts per `doEmbed` call. Default 32. */
  maxBatch?: number;
  /** Overrides the reported `modelId` (default: the folder name). */
  modelId?: string;
}

const PACKAGE = "@huggingface/transformers";

/** Loads run one at a time: each flips the process-wide `env.allowRemoteModels` while it runs. */
let loading: Promise<unknown> = Promise.resolve();

async function loadPipeline(
  dir: string,
  dtype: TransformersEmbedderOptions["dtype"],
): Promise<FeatureExtractor> {
  const t = await importOptional<Transformers>(PACKAGE, "the transformers embedder");
  const run = loading.then(async () => {
    // transformers.js would otherwise fetch missing files from huggingface.co. We only load local
    // folders, so remote access is switched off for the load and restored afterwards, leaving
    // other users of the library in this process as they were.
    const previous = t.env.allowRemoteModels;
    t.env.allowRemoteModels = false;
    try {
      return (await t.pipeline("feature-extraction", dir, {
        local_files_only: true,
        ...(dtype ? { dtype } : {}),
      })) as unknown as FeatureExtractor;
    } finally {
      t.env.allowRemoteModels = previous;
    }
  });
  loading = run.catch(() => undefined);
  return run;
}

function assertModelFolder(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new NotFoundError({
      message: `transformers model folder not found: ${dir}`,
      hint: "export or download an ONNX model folder (config.json, tokenizer.json, onnx/model.onnx) and pass its path, e.g. `optimum-cli export onnx --model BAAI/bge-small-en-v1.5 DIR`",
    });
  }
  for (const file of ["config.json", "tokenizer.json"]) {
    if (!fs.existsSync(path.join(dir, file))) {
      throw new NotFoundError({
        message: `${file} missing in transformers model folder ${dir}`,
        hint: "the folder must hold config.json, tokenizer.json and onnx/model.onnx (a transformers.js / Optimum export)",
      });
    }
  }
}

/**
 * Sentence embeddings from a local ONNX model through `@huggingface/transformers` (onnxruntime on
 * the CPU). Create it with {@link createTransformersEmbedder}.
 */
export class TransformersEmbedder implements Embedder {
  readonly specificationVersion = "v1" as const;
  readonly provider = "transformers";
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxBatch: number;

  /** @internal Use {@link createTransformersEmbedder}. */
  constructor(
    private readonly extractor: FeatureExtractor,
    private readonly settings: {
      pooling: "mean" | "cls";
      normalize: boolean;
      dimensions: number;
      fullDimensions: number;
    },
    options: { modelId: string; maxBatch: number },
  ) {
    this.modelId = options.modelId;
    this.dimensions = settings.dimensions;
    this.maxBatch = options.maxBatch;
  }

  async doEmbed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    checkEmbedInput(texts, this.maxBatch);
    if (texts.length === 0) return [];
    options?.signal?.throwIfAborted();
    const rows = await embedRows(this.extractor, texts, this.settings);
    return rows.map((row) => {
      if (row.length === this.dimensions) return row;
      const cut = row.slice(0, this.dimensions);
      return this.settings.normalize ? l2Normalize(cut) : cut;
    });
  }
}

async function embedRows(
  extractor: FeatureExtractor,
  texts: string[],
  s: { pooling: "mean" | "cls"; normalize: boolean },
): Promise<Float32Array[]> {
  let output: { data: unknown; dims: number[] };
  try {
    output = await extractor(texts, { pooling: s.pooling, normalize: s.normalize });
  } catch (error) {
    throw new ProviderError({
      provider: "transformers",
      message: `transformers feature extraction failed: ${errorMessage(error)}`,
      cause: error,
    });
  }
  const [n, d] = output.dims;
  const data = output.data as Float32Array;
  if (output.dims.length !== 2 || n !== texts.length || d === undefined) {
    throw new ProviderError({
      provider: "transformers",
      message: `unexpected output shape [${output.dims.join(", ")}] from the feature-extraction pipeline`,
    });
  }
  return Array.from({ length: n }, (_, i) => Float32Array.from(data.subarray(i * d, (i + 1) * d)));
}

/**
 * Create an embedder from a local transformers.js model folder. Nothing is downloaded: remote
 * model access is disabled while loading, so a missing file is an error, not a fetch. Async: the
 * model is loaded (and probed for its dimension) here.
 *
 * @example
 * const embedder = await createTransformersEmbedder({ modelPath: "./models/bge-small-en-v1.5" });
 * const [vector] = await embedder.doEmbed(["I like tea"]); // 384 floats, unit length
 */
export async function createTransformersEmbedder(
  options: TransformersEmbedderOptions,
): Promise<TransformersEmbedder> {
  if (!options?.modelPath) {
    throw new InvalidInputError({
      message: "createTransformersEmbedder needs modelPath",
      hint: "pass a model folder",
    });
  }
  const dir = path.resolve(options.modelPath);
  assertModelFolder(dir);
  const maxBatch = options.maxBatch ?? 32;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new InvalidInputError({ message: `maxBatch must be a positive integer, got ${maxBatch}` });
  }
  let extractor: FeatureExtractor;
  try {
    extractor = await loadPipeline(dir, options.dtype);
  } catch (error) {
    if (MemosError.isInstance(error)) throw error;
    const message = errorMessage(error);
    throw new ProviderError({
      provider: "transformers",
      message: `could not load the transformers model in ${dir}: ${message}`,
      hint: "the onnx/ folder needs the weights for the chosen dtype: model.onnx (fp32), model_quantized.onnx (q8), model_fp16.onnx, …",
      cause: error,
    });
  }
  const settings = { pooling: options.pooling ?? "mean", normalize: options.normalize ?? true } as const;
  // The output size is what the pipeline returns, not necessarily config.hidden_size.
  const [probe] = await embedRows(extractor, ["dimension probe"], settings);
  const fullDimensions = probe?.length ?? 0;
  const dimensions = options.dimensions ?? fullDimensions;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > fullDimensions) {
    throw new InvalidInputError({
      message: `dimensions must be an integer from 1 to ${fullDimensions} (the model's size), got ${dimensions}`,
    });
  }
  return new TransformersEmbedder(
    extractor,
    { ...settings, dimensions, fullDimensions },
    { modelId: options.modelId ?? path.basename(dir), maxBatch },
  );
}

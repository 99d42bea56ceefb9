import path from "node:path";
import type { LlamaChatResponse, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type {
  GenerateOptions,
  GenerateResult,
  LanguageModel,
  LLMMessage,
  StreamPart,
} from "../../core/interfaces/language-model.js";
import { stripThinkPrefix } from "../shared/think-prefix.js";
import { grammarFor } from "./llama-cpp-grammar.js";
import { finishReasonOf, toChatHistory } from "./llama-cpp-messages.js";
import {
  assertModelFile,
  isModelUri,
  type LlamaGpu,
  loadLlamaModel,
  loadNodeLlamaCpp,
  type NodeLlamaCpp,
  PROVIDER,
  resolveModelUri,
  toProviderError,
} from "./llama-cpp-runtime.js";
import { Channel, SerialQueue } from "./serial-queue.js";

/** A LoRA adapter GGUF applied when the context is created. */
export interface LlamaCppLora {
  path: string;
  /** Strength, default 1. */
  scale?: number;
}

/** Options of {@link createLlamaCpp}: the GGUF model file, context size, threads, GPU and LoRA adapters. */
export interface LlamaCppOptions {
  /**
   * A local `.gguf` file, or a URI node-llama-cpp resolves (`hf:user/repo:Q4_K_M`,
   * `hf:user/repo/file.gguf`, `https://…`). URIs need network access unless already downloaded.
   */
  modelPath: string;
  /** `false` (default here): CPU only. `"auto"` picks CUDA/Vulkan/Metal when available. */
  gpu?: LlamaGpu;
  /** CPU threads. Default: node-llama-cpp's choice (all cores); use 1 for tiny models. */
  threads?: number;
  /** Context window in tokens (prompt + answer). Default 4096, or less if the model is smaller. */
  contextSize?: number;
  /** LoRA adapters, applied at context creation. */
  loras?: LlamaCppLora[];
  /** Default sampling seed (matters only with temperature > 0). */
  seed?: number;
  /** Default temperature. Default 0: greedy, deterministic. */
  temperature?: number;
  /** Default nucleus sampling threshold. */
  topP?: number;
  /** Default top-k sampling. */
  topK?: number;
  /** Default answer length limit. Default 1024 tokens. */
  maxTokens?: number;
  /** Strip a leading `<think>…</think>` from `doGenerate` answers (MemOS `remove_think_prefix`). Default true. */
  removeThinkPrefix?: boolean;
  /** For URIs: `false` refuses to download (only an already-downloaded copy is used). Default true. */
  download?: boolean;
  /** For URIs: where downloaded models live (node-llama-cpp's default otherwise). */
  modelsDir?: string;
  /** Overrides the reported `modelId` (default: the file name, plus LoRA names). */
  modelId?: string;
}

const DEFAULT_CONTEXT = 4096;
const DEFAULT_MAX_TOKENS = 1024;

interface Loaded {
  m: NodeLlamaCpp;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
}

/**
 * A GGUF chat model run in-process by llama.cpp (through node-llama-cpp). Create it with
 * {@link createLlamaCpp}.
 *
 * Calls on one instance run one at a time (a queue): they share one context sequence, whose KV
 * cache is cleared before each call so every answer depends only on its own messages. Make more
 * instances (they share the loaded weights) for parallel generations.
 */
export class LlamaCppLanguageModel implements LanguageModel {
  readonly specificationVersion = "v1" as const;
  readonly provider = PROVIDER;
  readonly modelId: string;
  readonly structuredOutput = "grammar" as const;
  private readonly options: LlamaCppOptions;
  private readonly queue = new SerialQueue();
  private loaded: Promise<Loaded> | undefined;

  /** @internal Use {@link createLlamaCpp}. */
  constructor(options: LlamaCppOptions) {
    this.options = options;
    const loraNames = (options.loras ?? []).map((l) => path.basename(l.path, ".gguf"));
    this.modelId =
      options.modelId ??
      [
        isModelUri(options.modelPath) ? options.modelPath : path.basename(options.modelPath, ".gguf"),
        ...loraNames,
      ].join("+");
  }

  /** The GGUF file (or model URI) this model runs. */
  get modelPath(): string {
    return this.options.modelPath;
  }

  /** The LoRA adapters its context is created with. */
  get loras(): readonly LlamaCppLora[] {
    return this.options.loras ?? [];
  }

  /**
   * The same model with other LoRA adapters: a new instance with its own context (adapters are
   * fixed when a context is created), sharing the loaded weights.
   *
   * @example
   * const styled = model.withLoras([{ path: "./style.gguf", scale: 0.8 }]);
   */
  withLoras(loras: LlamaCppLora[]): LlamaCppLanguageModel {
    return createLlamaCpp({ ...this.options, loras });
  }

  /** Load the model and create the context now, instead of on the first call (e.g. before timing). */
  async load(): Promise<void> {
    await this.ensureLoaded();
  }

  /** Release the context; the weights stay cached for other instances. */
  async dispose(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    const l = await loaded.catch(() => undefined);
    await l?.context.dispose();
  }

  async doGenerate(messages: LLMMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const result = await this.generate(messages, options);
    const remove = this.options.removeThinkPrefix ?? true;
    return remove ? { ...result, text: stripThinkPrefix(result.text) } : result;
  }

  async *doStream(messages: LLMMessage[], options: GenerateOptions = {}): AsyncIterable<StreamPart> {
    const channel = new Channel<string>();
    // Stops the generation when the consumer stops reading early.
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const done = this.generate(messages, { ...options, signal }, (text) => channel.push(text)).then(
      (result) => {
        channel.close();
        return result;
      },
      (error: unknown) => {
        channel.close({ error });
        throw error;
      },
    );
    done.catch(() => undefined); // observed below; avoid an unhandled rejection if the consumer leaves
    let finished = false;
    try {
      for (;;) {
        const next = await channel.next();
        if (next.done) break;
        if (next.value) yield { type: "text-delta", delta: next.value };
      }
      const result = await done;
      finished = true;
      yield { type: "finish", usage: result.usage, finishReason: result.finishReason };
    } finally {
      if (!finished) {
        stop.abort(new DOMException("stream closed by the consumer", "AbortError"));
        await done.catch(() => undefined);
      }
    }
  }

  private generate(
    messages: LLMMessage[],
    options: GenerateOptions,
    onTextChunk?: (text: string) => void,
  ): Promise<GenerateResult> {
    const history = toChatHistory(messages);
    const maxTokens = options.maxTokens ?? this.options.maxTokens ?? DEFAULT_MAX_TOKENS;
    if (!Number.isInteger(maxTokens) || maxTokens < 1) {
      throw new InvalidInputError({ message: `maxTokens must be a positive integer, got ${maxTokens}` });
    }
    const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];

    return this.queue
      .run(async () => {
        const { m, model, sequence } = await this.ensureLoaded();
        signal?.throwIfAborted();
        // A fresh KV cache per call: answers must not depend on what ran before on this instance.
        await sequence.clearHistory();
        const chat = new m.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
        try {
          const format = options.responseFormat;
          const grammar = format?.type === "json" ? await grammarFor(model.llama, format.schema) : undefined;
          const before = sequence.tokenMeter.getState();
          const response: LlamaChatResponse = await chat.generateResponse(history, {
            maxTokens,
            temperature: options.temperature ?? this.options.temperature,
            topP: options.topP ?? this.options.topP,
            topK: this.options.topK,
            seed: options.seed ?? this.options.seed,
            ...(options.stop?.length ? { customStopTriggers: options.stop } : {}),
            ...(grammar ? { grammar } : {}),
            ...(signal ? { signal } : {}),
            ...(onTextChunk ? { onTextChunk } : {}),
          });
          const generated = sequence.tokenMeter.diff(before).usedOutputTokens;
          const prompt = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText;
          const inputTokens = prompt.tokenize(model.tokenizer).length;
          return {
            text: response.response,
            finishReason: finishReasonOf(response.metadata.stopReason),
            usage: { inputTokens, outputTokens: generated, totalTokens: inputTokens + generated },
          };
        } finally {
          chat.dispose({ disposeSequence: false });
        }
      }, signal)
      .catch((error: unknown) => {
        if (timeout?.aborted && !options.signal?.aborted) {
          throw new ProviderError({
            provider: PROVIDER,
            message: `${this.modelId} did not answer within ${options.timeoutMs} ms`,
            hint: "raise timeoutMs, lower maxTokens, or use a smaller model",
            retryable: true,
            cause: error,
          });
        }
        throw toProviderError(error, `${this.modelId} failed to generate`);
      });
  }

  private ensureLoaded(): Promise<Loaded> {
    this.loaded ??= this.load_().catch((error: unknown) => {
      this.loaded = undefined; // allow a retry, e.g. after the file was downloaded
      throw toProviderError(error, `could not load ${this.options.modelPath}`);
    });
    return this.loaded;
  }

  private async load_(): Promise<Loaded> {
    const o = this.options;
    const m = await loadNodeLlamaCpp();
    const file = isModelUri(o.modelPath)
      ? await resolveModelUri(o.modelPath, {
          ...(o.download !== undefined ? { download: o.download } : {}),
          ...(o.modelsDir ? { directory: o.modelsDir } : {}),
        })
      : o.modelPath;
    const model = await loadLlamaModel(file, o.gpu ?? false);
    const context = await model.createContext({
      sequences: 1,
      contextSize: { max: Math.min(o.contextSize ?? DEFAULT_CONTEXT, model.trainContextSize) },
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      ...(o.loras?.length
        ? {
            lora: { adapters: o.loras.map((l) => ({ filePath: path.resolve(l.path), scale: l.scale ?? 1 })) },
          }
        : {}),
    });
    return { m, model, context, sequence: context.getSequence() };
  }
}

/**
 * Create a llama.cpp chat model from a GGUF file. node-llama-cpp is imported on first use (a
 * MissingDependencyError names it if it is not installed); the model loads on the first call,
 * or on `await model.load()`. Local paths (model and LoRA files) are checked right away.
 *
 * @example
 * const model = createLlamaCpp({ modelPath: "./models/qwen2.5-0.5b-instruct-q4_k_m.gguf", threads: 4 });
 * const { text } = await generateText(model, [{ role: "user", content: "Hello" }]);
 * const { object } = await generateObject(model, messages, z.object({ label: z.enum(["yes", "no"]) }));
 */
export function createLlamaCpp(options: LlamaCppOptions): LlamaCppLanguageModel {
  if (!options.modelPath) {
    throw new InvalidInputError({
      message: "createLlamaCpp needs modelPath",
      hint: "pass the path of a .gguf file",
    });
  }
  if (!isModelUri(options.modelPath)) assertModelFile(path.resolve(options.modelPath));
  for (const lora of options.loras ?? []) {
    try {
      assertModelFile(path.resolve(lora.path));
    } catch {
      throw new NotFoundError({
        message: `LoRA adapter file not found: ${path.resolve(lora.path)}`,
        hint: "pass the path of a LoRA adapter .gguf (convert a PEFT adapter with llama.cpp's convert_lora_to_gguf.py)",
      });
    }
  }
  return new LlamaCppLanguageModel(options);
}

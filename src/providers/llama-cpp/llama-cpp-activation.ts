/**
 * Activation memory on llama.cpp: the system-prompt prefix of a chat (the cube's memory block)
 * evaluated once and saved as a sequence state file, then restored in place of evaluating it
 * again. States hold raw KV tensors, valid only for the model (and LoRA adapters) that computed
 * them, so each carries a fingerprint that is checked before a file is ever loaded.
 *
 * @module
 */

import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { ChatWrapper, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { sampledFileHash } from "../../core/file-hash.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { toChatHistory } from "./llama-cpp-messages.js";

/** A saved prefix state, as `KVCacheMemory` hands it to the model. */
export interface LlamaPrefixState {
  file: string;
  model_fingerprint: string;
  token_count: number;
}

/**
 * The fingerprint a state is tied to: the model file, the LoRA adapters with their scales (they
 * change every layer's keys and values) and the llama.cpp release (its state format).
 */
export function llamaFingerprint(
  modelFile: string,
  loras: { path: string; scale?: number }[],
  llamaCppRelease: string,
): string {
  const parts = {
    model: sampledFileHash(modelFile),
    loras: loras.map((l) => [sampledFileHash(l.path), l.scale ?? 1]),
    llama_cpp: llamaCppRelease,
  };
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}

/** Two tails that a real turn's system prompt could continue the prefix with. */
const PROBE_TAILS = ["\nToday is 2000-01-01.", "\n[999:zz] (1999-12-31) probe"];

/**
 * The tokens a chat whose system message starts with `systemPrefix` begins with, whatever
 * follows: the common part of two renderings through the model's chat template (BOS, role
 * markers and all), so the state matches what `LlamaChat` evaluates up to the token boundary.
 */
export function systemPrefixTokens(
  chatWrapper: ChatWrapper,
  model: LlamaModel,
  systemPrefix: string,
): Token[] {
  const [a, b] = PROBE_TAILS.map((tail) =>
    chatWrapper
      .generateContextState({
        chatHistory: toChatHistory([
          { role: "system", content: systemPrefix + tail },
          { role: "user", content: "?" },
        ]),
      })
      .contextText.tokenize(model.tokenizer),
  ) as [Token[], Token[]];
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  // The last shared token may merge with what follows in a real turn; leave it to the turn.
  return a.slice(0, Math.max(0, n - 1));
}

/** Evaluate `tokens` on a cleared sequence and save its state to `file` (atomically). */
export async function saveTokensState(
  sequence: LlamaContextSequence,
  tokens: Token[],
  file: string,
): Promise<{ tokenCount: number; bytes: number }> {
  const room = sequence.contextSize - 64;
  if (tokens.length > room) {
    throw new InvalidInputError({
      message: `the memory prefix is ${tokens.length} tokens; the model's context holds ${sequence.contextSize}`,
      hint: "raise the model's context_size, or pin fewer memories (act_mem.config.max_memories)",
    });
  }
  await sequence.clearHistory();
  try {
    await sequence.evaluateWithoutGeneratingNewTokens(tokens);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const { fileSize } = await sequence.saveStateToFile(tmp);
    fs.renameSync(tmp, file);
    return { tokenCount: tokens.length, bytes: fileSize };
  } finally {
    await sequence.clearHistory();
  }
}

/**
 * Put a saved state into `sequence`, after checking it was computed by this model: loading a
 * state of another model can crash llama.cpp, so a mismatch is refused before the file is read.
 */
export async function restoreState(
  sequence: LlamaContextSequence,
  state: LlamaPrefixState,
  fingerprint: string,
): Promise<void> {
  if (state.model_fingerprint !== fingerprint)
    throw fingerprintMismatch(state.file, state.model_fingerprint, fingerprint);
  if (!fs.existsSync(state.file)) {
    throw new InvalidInputError({
      message: `KV state file missing: ${state.file}`,
      hint: "rebuild the cube's activation memory with `memos kv build`",
    });
  }
  await sequence.clearHistory();
  await sequence.loadStateFromFile(state.file, { acceptRisk: true });
}

/** The error for a state computed by another model (or adapters, or llama.cpp release). */
export function fingerprintMismatch(file: string, saved: string, current: string): ConfigError {
  return new ConfigError({
    message: `KV state ${path.basename(file)} was computed by another model (fingerprint ${saved.slice(0, 12)}…, this model ${current.slice(0, 12)}…); it is not loaded`,
    hint: "rebuild it for this model with `memos kv build` (or drop it with `memos kv drop`)",
  });
}

/** Operations of the llama.cpp model that a {@link LlamaPrefixModel} needs. */
export interface PrefixCapableModel extends LanguageModel {
  generateFrom(
    state: LlamaPrefixState,
    ...args: Parameters<LanguageModel["doGenerate"]>
  ): ReturnType<LanguageModel["doGenerate"]>;
  streamFrom(
    state: LlamaPrefixState,
    ...args: Parameters<LanguageModel["doStream"]>
  ): ReturnType<LanguageModel["doStream"]>;
}

/** The llama.cpp model answering from a saved prefix state: only the tokens after it are evaluated. */
export class LlamaPrefixModel implements LanguageModel {
  readonly specificationVersion = "v1" as const;
  readonly provider: string;
  readonly modelId: string;
  readonly structuredOutput;

  constructor(
    private readonly inner: PrefixCapableModel,
    readonly state: LlamaPrefixState,
  ) {
    this.provider = inner.provider;
    this.modelId = inner.modelId;
    this.structuredOutput = inner.structuredOutput;
  }

  doGenerate(...args: Parameters<LanguageModel["doGenerate"]>): ReturnType<LanguageModel["doGenerate"]> {
    return this.inner.generateFrom(this.state, ...args);
  }

  doStream(...args: Parameters<LanguageModel["doStream"]>): ReturnType<LanguageModel["doStream"]> {
    return this.inner.streamFrom(this.state, ...args);
  }
}

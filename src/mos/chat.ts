import { ConfigError } from "../core/errors/config-error.js";
import { errorMessage } from "../core/errors/error-message.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { MemosError } from "../core/errors/memos-error.js";
import type {
  GenerateOptions,
  LanguageModel,
  LLMMessage,
  TokenUsage,
} from "../core/interfaces/language-model.js";
import { logger } from "../core/logger.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { generateText, streamText } from "../providers/shared/generate-text.js";
import type { ChatMessage } from "../reader/index.js";
import type { ChatActivation } from "./chat-activation.js";
import type { ChatHistoryStore } from "./chat-history.js";
import { buildPinnedSystemPrompt, buildSystemPrompt, type PromptMemory } from "./chat-prompt.js";
import { type Citation, type DroppedCitation, parseCitations } from "./citations.js";
import { LLM_HINT } from "./cube-ops.js";

/** Options of `MOS.chat`. */
export interface ChatOptions {
  /** The acting user (default: the MOS's user). Their readable cubes are searched. */
  userId?: string;
  /** Conversation whose history is kept and sent (default "default"). */
  sessionId?: string;
  /** Replaces the default opening of the system prompt; `{memories}` marks where memories go. */
  baseSystemPrompt?: string;
  /** Stream the answer: the call returns a {@link ChatStream}. */
  stream?: boolean;
  /** How many memories the prompt holds (default 5, as MemOS's `top_k`). */
  topK?: number;
  /** Store the user's message and the answer in the user's default cube (fast mode). Default false. */
  writeBack?: boolean;
  /** Search only these cubes (each checked for read access); default every cube the user reads. */
  cubeIds?: string[];
  /** Turns of history sent with the message (default 10, i.e. MemOS's window of 20 messages). */
  historyTurns?: number;
  /** Passed to the LLM (maxTokens, temperature, timeoutMs, signal, ...). */
  generate?: Omit<GenerateOptions, "responseFormat">;
  /** "Today" in the prompt (default now). */
  now?: Date;
}

/** The outcome of a chat turn. */
export interface ChatResult {
  answer: string;
  /** Citations in the answer that map to memories of the prompt, in order of first appearance. */
  citations: Citation[];
  /** Citations to ids the prompt did not hold (invented by the model): dropped. */
  droppedCitations: DroppedCitation[];
  /** Every memory the prompt held, numbered as cited. */
  memories: PromptMemory[];
  sessionId: string;
  usage?: TokenUsage;
  /** Memories written back (empty unless `writeBack`). */
  written: TextualMemoryItem[];
  /** What went wrong without failing the turn (a skipped write-back, search bookkeeping). */
  warnings: string[];
}

/** A streamed chat turn: iterate `textStream` for the deltas; `result` resolves once it has been read to the end. */
export interface ChatStream {
  /** The memories the prompt holds, known before the first delta (a UI can show them at once). */
  memories: PromptMemory[];
  textStream: AsyncIterable<string>;
  /** Rejects if the stream fails or is abandoned before its end. */
  result: Promise<ChatResult>;
}

/** What a chat turn needs from MOS, resolved for one acting user (so this module holds no ACL logic). */
export interface ChatDeps {
  llm: LanguageModel | undefined;
  history: ChatHistoryStore;
  userId: string;
  /** The best memories for the query among the cubes the user may read (already authorized). */
  retrieve(
    query: string,
    topK: number,
  ): Promise<{ memories: Omit<PromptMemory, "index">[]; warnings: string[] }>;
  /** Store the turn in the user's default cube; throws when the user may not write there. */
  writeBack(messages: ChatMessage[], sessionId: string): Promise<TextualMemoryItem[]>;
  /**
   * The activation memory of the user's cubes, when one has `act_mem` (see chat-activation.ts),
   * for the turn's base prompt and the model that answers (its KV states are that model's).
   */
  activation?(base: string | undefined, llm: LanguageModel): Promise<ChatActivation | undefined>;
}

export const DEFAULT_CHAT_TOP_K = 5;
export const DEFAULT_HISTORY_TURNS = 10;

/**
 * One chat turn: search the readable cubes → system prompt with the numbered memories and the
 * citation rules → the session's history → the LLM → citations checked against the prompt →
 * history saved → optional write-back. Without an LLM: a ConfigError saying how to set one.
 */
export async function runChat(
  deps: ChatDeps,
  query: string,
  options: ChatOptions = {},
): Promise<ChatResult | ChatStream> {
  const llm = deps.llm;
  if (!llm) throw new ConfigError({ message: "chat needs an LLM, and none is configured", hint: LLM_HINT });
  if (query.trim() === "")
    throw new InvalidInputError({
      message: "the chat message is empty",
      hint: 'e.g. mos.chat("Where do I live?")',
    });
  const sessionId = options.sessionId ?? "default";
  const topK = options.topK ?? DEFAULT_CHAT_TOP_K;
  if (!Number.isInteger(topK) || topK < 0 || topK > 100) {
    throw new InvalidInputError({
      message: `topK must be an integer from 0 to 100, got ${topK}`,
      hint: "e.g. topK: 5",
    });
  }
  const turns = options.historyTurns ?? DEFAULT_HISTORY_TURNS;
  const found = topK > 0 ? await deps.retrieve(query, topK) : { memories: [], warnings: [] };
  const activation = await deps.activation?.(options.baseSystemPrompt, llm);
  const { memories, system } = activation
    ? pinnedPrompt(activation, found.memories, options)
    : plainPrompt(found.memories, options);
  const model = activation?.llm ?? llm;
  const messages: LLMMessage[] = [
    { role: "system", content: system },
    ...deps.history.messages(deps.userId, sessionId, turns),
    { role: "user", content: query },
  ];
  const finish = (answer: string, usage: TokenUsage | undefined) =>
    finishTurn(deps, {
      query,
      answer,
      usage,
      memories,
      sessionId,
      turns,
      writeBack: Boolean(options.writeBack),
      warnings: [...found.warnings, ...(activation?.warnings ?? [])],
    });

  if (!options.stream) {
    const { text, usage } = await generateText(model, messages, options.generate);
    return finish(text, usage);
  }
  return streamTurn(model, messages, options.generate, memories, finish);
}

function plainPrompt(
  found: Omit<PromptMemory, "index">[],
  options: ChatOptions,
): { memories: PromptMemory[]; system: string } {
  const memories = found.map((m, i) => ({ ...m, index: i + 1 }));
  return {
    memories,
    system: buildSystemPrompt({ base: options.baseSystemPrompt, memories, now: options.now }),
  };
}

/** Pinned memories first (the cached block), then the retrieved ones it does not already hold. */
function pinnedPrompt(
  activation: ChatActivation,
  found: Omit<PromptMemory, "index">[],
  options: ChatOptions,
): { memories: PromptMemory[]; system: string } {
  const pinned = activation.pinned.map((m, i) => ({ ...m, index: i + 1 }));
  const held = new Set(pinned.map((m) => m.memoryId));
  const retrieved = found
    .filter((m) => !held.has(m.memoryId))
    .map((m, i) => ({ ...m, index: pinned.length + i + 1 }));
  const { system } = buildPinnedSystemPrompt({
    base: options.baseSystemPrompt,
    pinned,
    retrieved,
    now: options.now,
  });
  return { memories: [...pinned, ...retrieved], system };
}

function streamTurn(
  llm: LanguageModel,
  messages: LLMMessage[],
  generate: ChatOptions["generate"],
  memories: PromptMemory[],
  finish: (answer: string, usage: TokenUsage | undefined) => Promise<ChatResult>,
): ChatStream {
  let resolve!: (r: ChatResult) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<ChatResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that only iterates must not crash the process with an unhandled rejection.
  result.catch(() => {});
  async function* deltas(): AsyncGenerator<string> {
    const s = streamText(llm, messages, generate);
    let answer = "";
    let ended = false;
    try {
      for await (const delta of s.textStream) {
        answer += delta;
        yield delta;
      }
      ended = true;
      resolve(await finish(answer, await s.usage));
    } catch (error) {
      reject(error);
      throw error;
    } finally {
      if (!ended)
        reject(
          new MemosError({
            message: "the chat stream was closed before the answer ended",
            hint: "read textStream to its end",
          }),
        );
    }
  }
  return { memories, textStream: deltas(), result };
}

async function finishTurn(
  deps: ChatDeps,
  turn: {
    query: string;
    answer: string;
    usage: TokenUsage | undefined;
    memories: PromptMemory[];
    sessionId: string;
    turns: number;
    writeBack: boolean;
    warnings: string[];
  },
): Promise<ChatResult> {
  const { citations, dropped } = parseCitations(turn.answer, turn.memories);
  if (dropped.length > 0)
    logger.info({ dropped: dropped.map((d) => d.text) }, "chat: citations to unknown memories dropped");
  deps.history.append(
    deps.userId,
    turn.sessionId,
    [
      { role: "user", content: turn.query },
      { role: "assistant", content: turn.answer },
    ],
    turn.turns,
  );
  let written: TextualMemoryItem[] = [];
  if (turn.writeBack) {
    const at = new Date().toISOString();
    try {
      written = await deps.writeBack(
        [
          { role: "user", content: turn.query, chat_time: at },
          { role: "assistant", content: stripCitations(turn.answer) || turn.answer, chat_time: at },
        ],
        turn.sessionId,
      );
    } catch (error) {
      // The answer stands; the caller learns why the turn was not remembered.
      turn.warnings.push(`write-back skipped: ${errorMessage(error)}`);
    }
  }
  return {
    answer: turn.answer,
    citations,
    droppedCitations: dropped,
    memories: turn.memories,
    sessionId: turn.sessionId,
    usage: turn.usage,
    written,
    warnings: turn.warnings,
  };
}

/** The answer without `[i:id]` tags: ids are noise in a stored memory. */
export function stripCitations(answer: string): string {
  return answer.replace(/\s*\[\d{1,4}\s*:\s*[^\]\s]+(?:\s*[,;]\s*\d{1,4}\s*:\s*[^\]\s]+)*\]/g, "").trim();
}

/**
 * Scripted models for the scheduler's tests and bench: the fine reader's extraction answered by
 * rule, and a model held at a gate so a test can prove by order (not timing) that an add returned
 * before its fine pass ran.
 *
 * @module
 */
import type { LanguageModel, LLMMessage } from "../../core/interfaces/language-model.js";
import { createScriptedLanguageModel, type ScriptedRule } from "../../testing/scripted-language-model.js";

/**
 * The fine reader's extraction, scripted: one fine memory per `Speaker: text` line of the
 * conversation, "Speaker <verb>: text" (default "said (fine)", so a test tells fine from fast).
 *
 * @example
 * createScriptedLanguageModel([{ match: "Extract the memories.", reply: (m) => fineExtraction(m, "said") }]);
 */
export function fineExtraction(messages: LLMMessage[], verb = "said (fine)") {
  const user = messages.at(-1)?.content ?? "";
  const conversation = user.split("Conversation:\n")[1]?.split("\n\nExtract the memories.")[0] ?? "";
  const lines = conversation
    .split("\n")
    .slice(1)
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, ""));
  return {
    memories: lines
      .map((l) => /^([^:]+):\s*(.+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({
        key: `${m[1]} statement`,
        memory_type: "LongTermMemory",
        value: `${m[1]} ${verb}: ${m[2]}`,
        tags: ["chat"],
      })),
    background: "A chat.",
  };
}

/** A scripted model that extracts as {@link fineExtraction}, fails on "FAILME", and answers other rules given. */
export function fineModel(extra: ScriptedRule[] = []) {
  return createScriptedLanguageModel([
    { match: "FAILME", reply: "this is not JSON" },
    { match: "Extract the memories.", reply: (m) => fineExtraction(m) },
    ...extra,
    { match: () => true, reply: { relation: "independent", reason: "different facts" } },
  ]);
}

/**
 * A model whose calls wait until `release()` (then answer as `inner` does): lets a test prove an
 * add returned before its fine pass ran, by order rather than by timing.
 */
export function gatedModel(
  inner: LanguageModel,
): LanguageModel & { release(): void; readonly waiting: number } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = 0;
  return {
    specificationVersion: inner.specificationVersion,
    provider: inner.provider,
    modelId: inner.modelId,
    structuredOutput: inner.structuredOutput,
    async doGenerate(messages, options) {
      waiting += 1;
      await gate;
      waiting -= 1;
      return inner.doGenerate(messages, options);
    },
    doStream: (messages, options) => inner.doStream(messages, options),
    release: () => open(),
    get waiting() {
      return waiting;
    },
  };
}

import type { LanguageModel, LLMMessage } from "../../core/interfaces/language-model.js";
import { createScriptedLanguageModel, type ScriptedRule } from "../../testing/scripted-language-model.js";
import type { SubmitResult, Task, TaskContext, TaskInput, TaskLabel } from "../types.js";

/** A task as a queue would hand it to a handler (first delivery). */
export function taskOf(label: TaskLabel, userId: string, cubeId: string, payload: unknown): Task {
  return {
    task_id: `t-${label}-${Math.random().toString(36).slice(2, 10)}`,
    label,
    user_id: userId,
    cube_id: cubeId,
    payload,
    idempotency_key: "",
    status: "in_progress",
    attempts: 1,
    max_attempts: 3,
    submitted_at: new Date().toISOString(),
  };
}

/** A handler context whose `submit` records what the handler queued. */
export function recordingContext(): TaskContext & { submitted: TaskInput[] } {
  const submitted: TaskInput[] = [];
  return {
    submitted,
    signal: new AbortController().signal,
    async submit(input: TaskInput): Promise<SubmitResult> {
      submitted.push(input);
      return {
        task: { ...taskOf(input.label, input.user_id, input.cube_id, input.payload), status: "waiting" },
        duplicate: false,
      };
    },
  };
}

/**
 * The fine reader's extraction, scripted: one fine memory per `Speaker: text` line of the
 * conversation, "Speaker said: text", tagged by the caller's tag.
 */
export function fineExtraction(messages: LLMMessage[]) {
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
        value: `${m[1]} said (fine): ${m[2]}`,
        tags: ["chat"],
      })),
    background: "A chat.",
  };
}

/** A scripted model that extracts as {@link fineExtraction}, fails on "FAILME", and answers other rules given. */
export function fineModel(extra: ScriptedRule[] = []) {
  return createScriptedLanguageModel([
    { match: "FAILME", reply: "this is not JSON" },
    { match: "Extract the memories.", reply: fineExtraction },
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

import type { ChatHistoryItem } from "node-llama-cpp";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { FinishReason, LLMMessage } from "../../core/interfaces/language-model.js";

/**
 * Our messages as node-llama-cpp chat history, ending in the model turn to generate. A trailing
 * assistant message is kept as that turn's beginning (prefill), so the model continues it — the
 * way a repair prompt or a "start with {" nudge works with other backends.
 */
export function toChatHistory(messages: LLMMessage[]): ChatHistoryItem[] {
  if (messages.length === 0) {
    throw new InvalidInputError({
      message: "no messages to send to the model",
      hint: "pass at least one user message",
    });
  }
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case "system":
        return { type: "system", text: m.content };
      case "user":
        return { type: "user", text: m.content };
      case "assistant":
        return { type: "model", response: [m.content] };
      default:
        throw new InvalidInputError({
          message: `unknown message role "${(m as { role: unknown }).role}"`,
          hint: 'roles are "system", "user" and "assistant"',
        });
    }
  });
  if (history.at(-1)?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}

/** node-llama-cpp's stop reasons in the interface's terms. */
export function finishReasonOf(stopReason: string): FinishReason {
  switch (stopReason) {
    case "eogToken":
    case "stopGenerationTrigger":
    case "customStopTrigger":
      return "stop";
    case "maxTokens":
      return "length";
    default:
      return "other";
  }
}

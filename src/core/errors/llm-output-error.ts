import { MemosError } from "./memos-error.js";

const marker = Symbol.for("memos-ts.error.llm_output");

/**
 * A model answered, but not with what was asked (unparseable or schema-violating JSON), even
 * after a repair retry. `text` holds the raw answer so nothing is silently dropped.
 */
export class LLMOutputError extends MemosError {
  private readonly [marker] = true;
  readonly text: string;

  constructor(options: { message: string; text: string; hint?: string; cause?: unknown }) {
    super({ ...options, code: "llm_output" });
    this.name = "LLMOutputError";
    this.text = options.text;
  }

  static override isInstance(error: unknown): error is LLMOutputError {
    return typeof error === "object" && error !== null && marker in error;
  }
}

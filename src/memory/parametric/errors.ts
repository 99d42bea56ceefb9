import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosError } from "../../core/errors/memos-error.js";

/** Why a file was refused as a LoRA adapter of a cube. */
export type LoRAAdapterProblem =
  /** Not a readable GGUF file. */
  | "not_gguf"
  /** A GGUF, but a model (or anything else), not an adapter (`general.type` ≠ "adapter"). */
  | "not_adapter"
  /** An adapter, but not a LoRA (`adapter.type` ≠ "lora", e.g. a control vector), or no lora_a/lora_b pairs. */
  | "not_lora"
  /** Built for another architecture than the base model's. */
  | "architecture_mismatch"
  /** A lora_a/lora_b pair does not fit the base model's tensor (another size of model), or targets a tensor it lacks. */
  | "shape_mismatch"
  /** Recorded for another base model than the one it is used with (fingerprints differ). */
  | "base_model_mismatch";

const marker = Symbol.for("memos-ts.error.lora_adapter");

/**
 * A GGUF refused as a LoRA adapter: not an adapter, not a LoRA, or made for another base model.
 * `problem` says which, for code; the message says it for people.
 *
 * @example
 * try { await cube.parametric.add("x.gguf", { name: "x" }) } catch (e) {
 *   if (LoRAAdapterError.isInstance(e) && e.problem === "shape_mismatch") console.error(e.message, e.hint);
 * }
 */
export class LoRAAdapterError extends InvalidInputError {
  private readonly [marker] = true;
  readonly problem: LoRAAdapterProblem;

  constructor(options: { problem: LoRAAdapterProblem; message: string; hint?: string; cause?: unknown }) {
    super(options);
    this.name = "LoRAAdapterError";
    this.problem = options.problem;
  }

  static override isInstance(error: unknown): error is LoRAAdapterError {
    return typeof error === "object" && error !== null && marker in error;
  }
}

const trainingMarker = Symbol.for("memos-ts.error.lora_training_unavailable");

/**
 * Training a LoRA adapter from memories needs a training stack (PyTorch + PEFT, or llama.cpp's
 * finetune tools) that MemOS-TS does not ship. `LoRAMemory.train` throws this; the hint says how
 * to make an adapter elsewhere and add it.
 */
export class LoRATrainingUnavailableError extends MemosError {
  private readonly [trainingMarker] = true;

  constructor() {
    super({
      code: "missing_dependency",
      message: "training LoRA adapters from memories is not available in MemOS-TS (no training stack)",
      hint: "train an adapter elsewhere (e.g. PEFT, then llama.cpp's convert_lora_to_gguf.py --base …), then `memos lora add FILE.gguf --name NAME`",
    });
    this.name = "LoRATrainingUnavailableError";
  }

  static override isInstance(error: unknown): error is LoRATrainingUnavailableError {
    return typeof error === "object" && error !== null && trainingMarker in error;
  }
}

/**
 * Is a GGUF a LoRA adapter, and does it fit a base model? Decided from the two headers alone,
 * with the same rules llama.cpp applies when it loads an adapter (`llama-adapter.cpp`), so a
 * mismatch is a clear error at `add` instead of a failure at the first chat.
 *
 * @module
 */
import { LoRAAdapterError } from "./errors.js";
import type { GgufHeader, GgufTensorShape } from "./gguf-info.js";

/** What an accepted adapter is: its architecture, alpha, rank and the base tensors it adapts. */
export interface LoRAAdapterInfo {
  architecture: string;
  alpha: number | undefined;
  rank: number;
  /** Base tensor names the adapter changes (e.g. "blk.0.attn_q.weight"). */
  targets: string[];
}

interface LoRAPair {
  target: string;
  a: GgufTensorShape;
  b: GgufTensorShape;
}

/**
 * Check that `header` is a LoRA adapter (`general.type == "adapter"`, `adapter.type == "lora"`,
 * matched `*.lora_a` / `*.lora_b` pairs of one rank); throws {@link LoRAAdapterError} otherwise.
 */
export function inspectLoRAAdapter(header: GgufHeader): LoRAAdapterInfo {
  if (header.type !== "adapter") {
    throw new LoRAAdapterError({
      problem: "not_adapter",
      message: `${header.file} is not an adapter (general.type is ${JSON.stringify(header.type ?? null)}${header.type === undefined || header.type === "model" ? ": it looks like a model" : ""})`,
      hint: "pass a LoRA adapter GGUF, e.g. one written by llama.cpp's convert_lora_to_gguf.py",
    });
  }
  if (header.adapterType !== "lora") {
    throw new LoRAAdapterError({
      problem: "not_lora",
      message: `${header.file} is a ${JSON.stringify(header.adapterType ?? "unknown")} adapter, not a LoRA (adapter.type)`,
      hint: "only LoRA adapters (adapter.type = lora) are parametric memories",
    });
  }
  if (!header.architecture) {
    throw new LoRAAdapterError({
      problem: "not_lora",
      message: `${header.file} names no architecture (general.architecture)`,
      hint: "re-convert the adapter with llama.cpp's convert_lora_to_gguf.py",
    });
  }
  const pairs = loraPairs(header);
  const rank = pairs[0]?.a.dims[1];
  if (rank === undefined) {
    throw new LoRAAdapterError({
      problem: "not_lora",
      message: `${header.file} holds no lora_a/lora_b tensor pairs`,
      hint: "re-convert the adapter with llama.cpp's convert_lora_to_gguf.py",
    });
  }
  return {
    architecture: header.architecture,
    alpha: header.loraAlpha,
    rank,
    targets: pairs.map((p) => p.target),
  };
}

/**
 * Check that the adapter fits the base model: same architecture, and every pair matches its base
 * tensor (`A: [n_in, r]`, `B: [r, n_out]` for a weight `[n_in, n_out]`; token_embd the other way
 * round, as llama.cpp stores it). Throws {@link LoRAAdapterError} naming the first misfit.
 */
export function checkAdapterFitsBase(adapter: GgufHeader, base: GgufHeader): void {
  const info = inspectLoRAAdapter(adapter);
  if (base.type === "adapter") {
    throw new LoRAAdapterError({
      problem: "architecture_mismatch",
      message: `the base model ${base.file} is itself an adapter`,
      hint: "pass the model GGUF the adapter was trained on as the base",
    });
  }
  if (info.architecture !== base.architecture) {
    throw new LoRAAdapterError({
      problem: "architecture_mismatch",
      message: `${adapter.file} is a LoRA for the "${info.architecture}" architecture, but the base model ${base.file} is "${base.architecture ?? "unknown"}"`,
      hint: "use the base model the adapter was trained on",
    });
  }
  const baseTensors = new Map(base.tensors.map((t) => [t.name, t.dims]));
  for (const pair of loraPairs(adapter)) {
    const w = baseTensors.get(pair.target);
    if (!w) {
      throw new LoRAAdapterError({
        problem: "shape_mismatch",
        message: `${adapter.file} adapts ${pair.target}, which the base model ${base.file} does not have`,
        hint: "use the base model the adapter was trained on",
      });
    }
    const [a0, a1] = pair.a.dims;
    const [b0, b1] = pair.b.dims;
    const fits =
      pair.target === "token_embd.weight" ? w[0] === b1 && w[1] === a1 : w[0] === a0 && w[1] === b1;
    if (!fits || a1 !== b0) {
      throw new LoRAAdapterError({
        problem: "shape_mismatch",
        message: `${adapter.file} does not fit the base model ${base.file}: ${pair.target} is [${w.join(", ")}] but its LoRA A is [${pair.a.dims.join(", ")}] and B is [${pair.b.dims.join(", ")}]`,
        hint: "the adapter was made for another size of model; use the base model it was trained on",
      });
    }
  }
}

/** The adapter's lora_a/lora_b pairs, by target; an unpaired half is a LoRAAdapterError. */
function loraPairs(header: GgufHeader): LoRAPair[] {
  const halves = new Map<string, { a?: GgufTensorShape; b?: GgufTensorShape }>();
  for (const t of header.tensors) {
    const m = /^(.*)\.lora_([ab])$/.exec(t.name);
    if (!m) continue;
    const target = m[1] as string;
    const entry = halves.get(target) ?? {};
    if (m[2] === "a") entry.a = t;
    else entry.b = t;
    halves.set(target, entry);
  }
  const pairs: LoRAPair[] = [];
  for (const [target, { a, b }] of halves) {
    if (!a || !b || a.dims.length !== 2 || b.dims.length !== 2) {
      throw new LoRAAdapterError({
        problem: "not_lora",
        message: `${header.file}: ${target} has ${a && b ? "a LoRA pair that is not 2-D" : `lora_${a ? "a" : "b"} without its lora_${a ? "b" : "a"}`}`,
        hint: "the adapter file is damaged or not a llama.cpp LoRA; re-convert it",
      });
    }
    pairs.push({ target, a, b });
  }
  return pairs;
}

/**
 * Writes a random-weight llama-architecture GGUF (F32, SPM tokenizer with byte fallback, a ChatML
 * chat template) and a matching LoRA adapter GGUF. Tests and benchmarks use these instead of real
 * weights, which cannot be downloaded in CI.
 *
 * Usage: `npx tsx scripts/make-test-gguf.ts OUT_DIR [--shape tiny|qwen2.5-0.5b] [--seed N]`
 *
 * - `tiny` (default, ~0.6 MB): n_embd 64, 2 layers, n_ff 128 — loads in milliseconds.
 * - `qwen2.5-0.5b` (~1.4 GB, never commit it): n_embd 896, 24 layers, n_ff 4864, 14 heads / 2 KV
 *   heads like Qwen2.5-0.5B (but a small vocabulary), for time-to-first-token benchmarks.
 *
 * Output is deterministic for a given shape and seed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { mulberry32 as prng } from "../src/core/math/random.js";
import { buildVocab, CHATML_TEMPLATE } from "./gguf/vocab.js";
import { type GgufKv, type GgufTensor, writeGguf } from "./gguf/writer.js";

/** Bump when the generated files change, so cached copies (see {@link cachedTestGguf}) are rebuilt. */
export const GENERATOR_VERSION = 1;

export type TestGgufShape = "tiny" | "qwen2.5-0.5b";

interface ShapeSpec {
  nEmbd: number;
  nLayer: number;
  nFf: number;
  nHead: number;
  nHeadKv: number;
  contextLength: number;
  ropeFreqBase: number;
}

const SHAPES: Record<TestGgufShape, ShapeSpec> = {
  tiny: { nEmbd: 64, nLayer: 2, nFf: 128, nHead: 4, nHeadKv: 2, contextLength: 2048, ropeFreqBase: 10000 },
  "qwen2.5-0.5b": {
    nEmbd: 896,
    nLayer: 24,
    nFf: 4864,
    nHead: 14,
    nHeadKv: 2,
    contextLength: 32768,
    ropeFreqBase: 1_000_000,
  },
};

/** LoRA rank and alpha of the adapter (applied to attn_q and attn_v of every layer). */
const LORA_RANK = 4;
const LORA_ALPHA = 8;

export interface TestGgufFiles {
  modelFile: string;
  loraFile: string;
  shape: TestGgufShape;
  seed: number;
  bytes: number;
  loraBytes: number;
  nVocab: number;
  nEmbd: number;
  nLayer: number;
  nFf: number;
}

/**
 * Random tensors draw from uniform(-a, a) with a = std·√3 (same variance as a Gaussian of that
 * std, and much faster than Box–Muller for the 400M values of the benchmark shape). Each tensor
 * gets its own stream derived from the seed and its name, so tensors are generated lazily and
 * independently, in any order.
 */
function randomTensor(seed: number, name: string, dims: number[], std: number): GgufTensor {
  return {
    name,
    dims,
    data: () => {
      let h = seed ^ 0x9e3779b9;
      for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
      const next = prng(h);
      const a = std * Math.sqrt(3);
      const out = new Float32Array(dims.reduce((x, y) => x * y, 1));
      for (let i = 0; i < out.length; i++) out[i] = (next() * 2 - 1) * a;
      return out;
    },
  };
}

function onesTensor(name: string, dims: number[]): GgufTensor {
  return { name, dims, data: () => new Float32Array(dims.reduce((x, y) => x * y, 1)).fill(1) };
}

function modelKvs(s: ShapeSpec, name: string): GgufKv[] {
  const v = buildVocab();
  return [
    { key: "general.architecture", type: "string", value: "llama" },
    { key: "general.name", type: "string", value: name },
    { key: "general.file_type", type: "u32", value: 0 }, // all F32
    { key: "llama.context_length", type: "u32", value: s.contextLength },
    { key: "llama.embedding_length", type: "u32", value: s.nEmbd },
    { key: "llama.block_count", type: "u32", value: s.nLayer },
    { key: "llama.feed_forward_length", type: "u32", value: s.nFf },
    { key: "llama.attention.head_count", type: "u32", value: s.nHead },
    { key: "llama.attention.head_count_kv", type: "u32", value: s.nHeadKv },
    { key: "llama.rope.dimension_count", type: "u32", value: s.nEmbd / s.nHead },
    { key: "llama.rope.freq_base", type: "f32", value: s.ropeFreqBase },
    { key: "llama.attention.layer_norm_rms_epsilon", type: "f32", value: 1e-5 },
    { key: "llama.vocab_size", type: "u32", value: v.tokens.length },
    { key: "tokenizer.ggml.model", type: "string", value: "llama" },
    { key: "tokenizer.ggml.tokens", type: "array", of: "string", value: v.tokens },
    { key: "tokenizer.ggml.scores", type: "array", of: "f32", value: v.scores },
    { key: "tokenizer.ggml.token_type", type: "array", of: "i32", value: v.types },
    { key: "tokenizer.ggml.bos_token_id", type: "u32", value: v.bos },
    { key: "tokenizer.ggml.eos_token_id", type: "u32", value: v.eos },
    { key: "tokenizer.ggml.unknown_token_id", type: "u32", value: v.unk },
    { key: "tokenizer.ggml.add_bos_token", type: "bool", value: true },
    { key: "tokenizer.ggml.add_eos_token", type: "bool", value: false },
    { key: "tokenizer.chat_template", type: "string", value: CHATML_TEMPLATE },
  ];
}

function modelTensors(s: ShapeSpec, nVocab: number, seed: number): GgufTensor[] {
  const nEmbdKv = (s.nEmbd / s.nHead) * s.nHeadKv;
  // Large embedding/output scales give peaked, varied logits, so greedy text is not one token.
  const tensors = [
    randomTensor(seed, "token_embd.weight", [s.nEmbd, nVocab], 0.5),
    onesTensor("output_norm.weight", [s.nEmbd]),
    randomTensor(seed, "output.weight", [s.nEmbd, nVocab], 0.3),
  ];
  const std = 0.02;
  for (let l = 0; l < s.nLayer; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      onesTensor(`${p}attn_norm.weight`, [s.nEmbd]),
      randomTensor(seed, `${p}attn_q.weight`, [s.nEmbd, s.nEmbd], std),
      randomTensor(seed, `${p}attn_k.weight`, [s.nEmbd, nEmbdKv], std),
      randomTensor(seed, `${p}attn_v.weight`, [s.nEmbd, nEmbdKv], std),
      randomTensor(seed, `${p}attn_output.weight`, [s.nEmbd, s.nEmbd], std),
      onesTensor(`${p}ffn_norm.weight`, [s.nEmbd]),
      randomTensor(seed, `${p}ffn_gate.weight`, [s.nEmbd, s.nFf], std),
      randomTensor(seed, `${p}ffn_up.weight`, [s.nEmbd, s.nFf], std),
      randomTensor(seed, `${p}ffn_down.weight`, [s.nFf, s.nEmbd], std),
    );
  }
  return tensors;
}

/** LoRA A/B pairs for attn_q and attn_v: `W' = W + scale·(alpha/r)·B·A`. */
function loraTensors(s: ShapeSpec, seed: number): GgufTensor[] {
  const nEmbdKv = (s.nEmbd / s.nHead) * s.nHeadKv;
  const out: GgufTensor[] = [];
  for (let l = 0; l < s.nLayer; l++) {
    for (const [m, outDim] of [
      ["attn_q", s.nEmbd],
      ["attn_v", nEmbdKv],
    ] as const) {
      // Large on purpose: the adapter must visibly change greedy output in tests.
      out.push(
        randomTensor(seed, `blk.${l}.${m}.weight.lora_a`, [s.nEmbd, LORA_RANK], 0.5),
        randomTensor(seed, `blk.${l}.${m}.weight.lora_b`, [LORA_RANK, outDim], 0.5),
      );
    }
  }
  return out;
}

/**
 * Write `tiny-random-llama.gguf` (or `qwen2.5-0.5b-shaped-random.gguf`) and a LoRA adapter
 * (`*-lora.gguf`) into `outDir`.
 *
 * @example
 * const { modelFile, loraFile } = makeTestGguf(fs.mkdtempSync(path.join(os.tmpdir(), "gguf-")));
 */
export function makeTestGguf(outDir: string, shape: TestGgufShape = "tiny", seed = 1234): TestGgufFiles {
  const spec = SHAPES[shape];
  if (!spec) throw new Error(`unknown shape "${shape}" (known: ${Object.keys(SHAPES).join(", ")})`);
  const base = shape === "tiny" ? "tiny-random-llama" : `${shape}-shaped-random`;
  const nVocab = buildVocab().tokens.length;
  fs.mkdirSync(outDir, { recursive: true });
  const modelFile = path.join(outDir, `${base}.gguf`);
  const loraFile = path.join(outDir, `${base}-lora.gguf`);
  const bytes = writeGguf(modelFile, modelKvs(spec, base), modelTensors(spec, nVocab, seed));
  const loraBytes = writeGguf(
    loraFile,
    [
      { key: "general.architecture", type: "string", value: "llama" },
      { key: "general.type", type: "string", value: "adapter" },
      { key: "adapter.type", type: "string", value: "lora" },
      { key: "adapter.lora.alpha", type: "f32", value: LORA_ALPHA },
    ],
    // A different seed stream from the model's, so A/B are not correlated with the base weights.
    loraTensors(spec, seed ^ 0x5bd1e995),
  );
  return { modelFile, loraFile, shape, seed, bytes, loraBytes, nVocab, ...pick(spec) };
}

function pick(s: ShapeSpec) {
  return { nEmbd: s.nEmbd, nLayer: s.nLayer, nFf: s.nFf };
}

/**
 * Like {@link makeTestGguf}, but into a directory under the OS temp dir keyed by generator
 * version, shape and seed, reused across test runs (a `done.json` marker is written last, so a
 * crashed run is redone rather than reused).
 *
 * @example
 * const { modelFile } = cachedTestGguf(); // tests: call in beforeAll
 */
export function cachedTestGguf(shape: TestGgufShape = "tiny", seed = 1234): TestGgufFiles {
  const dir = path.join(os.tmpdir(), `memos-ts-test-gguf-v${GENERATOR_VERSION}-${shape}-${seed}`);
  const marker = path.join(dir, "done.json");
  try {
    const cached = JSON.parse(fs.readFileSync(marker, "utf8")) as TestGgufFiles;
    if (fs.existsSync(cached.modelFile) && fs.existsSync(cached.loraFile)) return cached;
  } catch {
    // not cached yet (or a broken marker): generate below
  }
  const files = makeTestGguf(dir, shape, seed);
  fs.writeFileSync(marker, JSON.stringify(files));
  return files;
}

function main(argv: string[]): void {
  const args = [...argv];
  let shape: TestGgufShape = "tiny";
  let seed = 1234;
  let outDir: string | undefined;
  while (args.length) {
    const a = args.shift();
    if (a === "--shape") shape = args.shift() as TestGgufShape;
    else if (a === "--seed") seed = Number(args.shift());
    else if (a === "-h" || a === "--help") {
      console.log("usage: tsx scripts/make-test-gguf.ts OUT_DIR [--shape tiny|qwen2.5-0.5b] [--seed N]");
      return;
    } else outDir = a;
  }
  if (!outDir || !(shape in SHAPES) || !Number.isInteger(seed)) {
    console.error("usage: tsx scripts/make-test-gguf.ts OUT_DIR [--shape tiny|qwen2.5-0.5b] [--seed N]");
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const files = makeTestGguf(outDir, shape, seed);
  console.log(JSON.stringify({ ...files, ms: Date.now() - started }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}

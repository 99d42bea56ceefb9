/**
 * Writes a tiny random "BERT-like" feature-extraction model folder that
 * `@huggingface/transformers` can load offline: `config.json`, a WordPiece `tokenizer.json`,
 * `tokenizer_config.json` and `onnx/model.onnx`. The ONNX graph is a single embedding lookup
 * (`Gather(embeddings, input_ids) → last_hidden_state`), so mean pooling gives a bag-of-words
 * sentence vector: meaningless, but with real shapes, for tests that cannot download a model.
 *
 * Usage: `npx tsx scripts/make-test-onnx-embedder.ts OUT_DIR [--dim 32] [--seed N]`
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bytes, int, message } from "./onnx/protobuf.js";

export const ONNX_GENERATOR_VERSION = 1;

const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const WORDS =
  "the a of and to in is i you my user likes like tea coffee green blue paris london lives memory cube hello world".split(
    " ",
  );

function vocabulary(): string[] {
  const letters = "abcdefghijklmnopqrstuvwxyz0123456789";
  const out = [...SPECIAL, ...".,!?'\"-:;()"];
  for (const c of letters) out.push(c);
  for (const c of letters) out.push(`##${c}`);
  for (const w of WORDS) if (!out.includes(w)) out.push(w);
  return out;
}

// ONNX enum values (onnx.proto): TensorProto.DataType FLOAT = 1, INT64 = 7; AttributeType INT = 2.
const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number, dims: Array<number | string>): Buffer {
  const shape = message(
    ...dims.map((d) => bytes(1, typeof d === "number" ? message(int(1, d)) : message(bytes(2, d)))),
  );
  const tensorType = message(int(1, elemType), bytes(2, shape));
  return message(bytes(1, name), bytes(2, message(bytes(1, tensorType))));
}

function onnxModel(vocabSize: number, dim: number, seed: number): Buffer {
  let state = seed >>> 0;
  const weights = new Float32Array(vocabSize * dim);
  for (let i = 0; i < weights.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    weights[i] = state / 2 ** 32 - 0.5;
  }
  const initializer = message(
    int(1, vocabSize),
    int(1, dim),
    int(2, FLOAT),
    bytes(8, "embeddings"),
    bytes(9, Buffer.from(weights.buffer)),
  );
  const gather = message(
    bytes(1, "embeddings"),
    bytes(1, "input_ids"),
    bytes(2, "last_hidden_state"),
    bytes(3, "lookup"),
    bytes(4, "Gather"),
    bytes(5, message(bytes(1, "axis"), int(3, 0), int(20, 2))),
  );
  const graph = message(
    bytes(1, gather),
    bytes(2, "tiny-random-embedder"),
    bytes(5, initializer),
    bytes(11, valueInfo("input_ids", INT64, ["batch_size", "sequence_length"])),
    bytes(12, valueInfo("last_hidden_state", FLOAT, ["batch_size", "sequence_length", dim])),
  );
  return message(
    int(1, 8), // ir_version 8 (ONNX 1.10+)
    bytes(2, "memos-ts make-test-onnx-embedder"),
    bytes(7, graph),
    bytes(8, message(bytes(1, ""), int(2, 13))), // default domain, opset 13
  );
}

function tokenizerJson(vocab: string[]): unknown {
  const id = (t: string) => vocab.indexOf(t);
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [id("[CLS]")], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [id("[SEP]")], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

export interface TestOnnxEmbedder {
  dir: string;
  dimensions: number;
  vocabSize: number;
}

/**
 * Write the model folder.
 *
 * @example
 * const { dir } = makeTestOnnxEmbedder(fs.mkdtempSync(path.join(os.tmpdir(), "onnx-")));
 * const embedder = createTransformersEmbedder({ modelPath: dir });
 */
export function makeTestOnnxEmbedder(outDir: string, dimensions = 32, seed = 1234): TestOnnxEmbedder {
  const vocab = vocabulary();
  fs.mkdirSync(path.join(outDir, "onnx"), { recursive: true });
  const config = {
    model_type: "bert",
    architectures: ["BertModel"],
    hidden_size: dimensions,
    vocab_size: vocab.length,
    max_position_embeddings: 512,
    num_attention_heads: 1,
    num_hidden_layers: 0,
  };
  fs.writeFileSync(path.join(outDir, "config.json"), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(outDir, "tokenizer.json"), JSON.stringify(tokenizerJson(vocab)));
  fs.writeFileSync(
    path.join(outDir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 512,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    }),
  );
  fs.writeFileSync(path.join(outDir, "onnx", "model.onnx"), onnxModel(vocab.length, dimensions, seed));
  return { dir: outDir, dimensions, vocabSize: vocab.length };
}

/**
 * Like {@link makeTestOnnxEmbedder}, cached under the OS temp dir by generator version, size and seed.
 *
 * @example
 * const { dir, dimensions } = cachedTestOnnxEmbedder(); // tests: call in beforeAll
 */
export function cachedTestOnnxEmbedder(dimensions = 32, seed = 1234): TestOnnxEmbedder {
  const dir = path.join(os.tmpdir(), `memos-ts-test-onnx-v${ONNX_GENERATOR_VERSION}-${dimensions}-${seed}`);
  const marker = path.join(dir, "done.json");
  if (fs.existsSync(marker)) return JSON.parse(fs.readFileSync(marker, "utf8")) as TestOnnxEmbedder;
  const made = makeTestOnnxEmbedder(dir, dimensions, seed);
  fs.writeFileSync(marker, JSON.stringify(made));
  return made;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const dim = Number(flag("--dim") ?? 32);
  const seed = Number(flag("--seed") ?? 1234);
  const outDir = args[0];
  if (!outDir) {
    console.error("usage: tsx scripts/make-test-onnx-embedder.ts OUT_DIR [--dim 32] [--seed N]");
    process.exitCode = 2;
  } else {
    console.log(JSON.stringify(makeTestOnnxEmbedder(outDir, dim, seed)));
  }
}

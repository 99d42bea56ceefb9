/**
 * The transformers (ONNX) embedder. No model can be downloaded here, so the suite runs on a tiny
 * random model folder written by scripts/make-test-onnx-embedder.ts (a WordPiece tokenizer and a
 * one-node ONNX graph). Set MEMOS_TEST_TRANSFORMERS_MODEL to a real exported model folder to also
 * check a real model as well (an opt-in test; it is not defined otherwise).
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { cachedTestOnnxEmbedder, type TestOnnxEmbedder } from "../../../scripts/make-test-onnx-embedder.js";
import { createFromConfig } from "../../core/backend-registry.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "./index.js";
import "../llama-cpp/register.js";

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const realModel = process.env.MEMOS_TEST_TRANSFORMERS_MODEL;

describe.sequential("transformers embedder (tiny generated ONNX model)", () => {
  let made: TestOnnxEmbedder;
  let embedder: TransformersEmbedder;

  beforeAll(async () => {
    made = cachedTestOnnxEmbedder();
    embedder = await createTransformersEmbedder({ modelPath: made.dir });
  });

  it("probes the output size and reports its identity", () => {
    expect(embedder.dimensions).toBe(made.dimensions);
    expect(embedder.provider).toBe("transformers");
    expect(embedder.modelId).toMatch(/memos-ts-test-onnx/);
  });

  it("mean-pools and normalises: unit vectors, same text → same vector", async () => {
    const [a, b, c] = await embedder.doEmbed([
      "the user likes green tea",
      "paris",
      "the user likes green tea",
    ]);
    for (const v of [a, b, c]) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v?.length).toBe(made.dimensions);
      expect(norm(v as Float32Array)).toBeCloseTo(1, 5);
    }
    expect(Array.from(c as Float32Array)).toEqual(Array.from(a as Float32Array));
    expect(Array.from(b as Float32Array)).not.toEqual(Array.from(a as Float32Array));
  });

  it("cls pooling and Matryoshka truncation", async () => {
    const cls = await createTransformersEmbedder({ modelPath: made.dir, pooling: "cls", dimensions: 8 });
    expect(cls.dimensions).toBe(8);
    const [v] = await cls.doEmbed(["hello world"]);
    expect(v?.length).toBe(8);
    expect(norm(v as Float32Array)).toBeCloseTo(1, 5);
    await expect(createTransformersEmbedder({ modelPath: made.dir, dimensions: 10_000 })).rejects.toThrow(
      InvalidInputError,
    );
  });

  it("resolves through the registry", async () => {
    const e = await createFromConfig<Embedder>("embedder", {
      backend: "transformers",
      config: { model_name_or_path: made.dir, pooling: "mean" },
    });
    expect(e.dimensions).toBe(made.dimensions);
  });

  it("a missing folder is a NotFoundError with a hint, and nothing is downloaded", async () => {
    const error = await createTransformersEmbedder({ modelPath: "/nonexistent/bge-small" }).catch(
      (e: unknown) => e,
    );
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect((error as NotFoundError).hint).toMatch(/onnx/);
  });

  it("a folder without model files is a NotFoundError", async () => {
    const empty = fs.mkdtempSync(`${made.dir}-empty-`);
    await expect(createTransformersEmbedder({ modelPath: empty })).rejects.toThrow(/config\.json missing/);
    fs.rmSync(empty, { recursive: true });
  });

  // Opt-in, not a skip: no real model can exist on a machine without downloads (CI included).
  // Run it with MEMOS_TEST_TRANSFORMERS_MODEL=/path/to/exported-onnx-folder.
  if (realModel)
    it("embeds with a real model folder (MEMOS_TEST_TRANSFORMERS_MODEL)", async () => {
      const real = await createTransformersEmbedder({ modelPath: realModel as string });
      const [v] = await real.doEmbed(["I like tea"]);
      expect(v?.length).toBe(real.dimensions);
      expect(norm(v as Float32Array)).toBeCloseTo(1, 4);
    });
});

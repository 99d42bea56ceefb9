/**
 * The llama-cpp embedder and reranker on the generated random-weight GGUF. Vectors from random
 * weights carry no meaning, so the checks are shape, unit length, determinism and errors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf, type TestGgufFiles } from "../../../scripts/make-test-gguf.js";
import { createFromConfig } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { type Embedder, embedMany } from "../../core/interfaces/embedder.js";
import { createLlamaCppEmbedder, createLlamaCppReranker, type LlamaCppEmbedder } from "./index.js";
import "./register.js";

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe.sequential("llama-cpp embedder (tiny random GGUF)", () => {
  let files: TestGgufFiles;
  let embedder: LlamaCppEmbedder;

  beforeAll(async () => {
    files = cachedTestGguf();
    embedder = await createLlamaCppEmbedder({
      modelPath: files.modelFile,
      threads: 1,
      contextSize: 256,
      maxBatch: 4,
    });
  });

  it("has the model's embedding size and identity", () => {
    expect(embedder.dimensions).toBe(files.nEmbd);
    expect(embedder.provider).toBe("llama-cpp");
    expect(embedder.modelId).toBe("tiny-random-llama");
    expect(embedder.maxBatch).toBe(4);
  });

  it("returns one unit-length Float32Array per text, deterministically", async () => {
    const texts = ["the user likes green tea", "paris is in france", "hello world"];
    const a = await embedder.doEmbed(texts);
    const b = await embedder.doEmbed([...texts].reverse());
    expect(a).toHaveLength(3);
    for (const v of a) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(files.nEmbd);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    // Same text → same vector, whatever the batch order.
    expect(Array.from(b[2] as Float32Array)).toEqual(Array.from(a[0] as Float32Array));
    expect(Array.from(a[0] as Float32Array)).not.toEqual(Array.from(a[1] as Float32Array));
  });

  it("truncates texts longer than the context instead of failing", async () => {
    const [v] = await embedder.doEmbed(["memory ".repeat(400)]);
    expect(v?.length).toBe(files.nEmbd);
    expect(norm(v as Float32Array)).toBeCloseTo(1, 5);
  });

  it("gives an empty text a zero vector of the right size", async () => {
    const [v] = await embedder.doEmbed([""]);
    expect(v?.length).toBe(files.nEmbd);
  });

  it("refuses batches over maxBatch; embedMany splits them", async () => {
    const texts = ["a", "b", "c", "d", "e", "f"];
    await expect(embedder.doEmbed(texts)).rejects.toThrow(InvalidInputError);
    const vectors = await embedMany(embedder, texts);
    expect(vectors).toHaveLength(6);
  });

  it("resolves through the registry", async () => {
    const e = await createFromConfig<Embedder>("embedder", {
      backend: "llama-cpp",
      config: { model_name_or_path: files.modelFile, threads: 1, context_size: 128 },
    });
    expect(e.dimensions).toBe(files.nEmbd);
    await (e as LlamaCppEmbedder).dispose();
  });

  it("a model without a ranking head cannot rerank: ConfigError with a hint", async () => {
    // The random test model has no classification head (cls.output.weight), like any chat model.
    const error = await createLlamaCppReranker({ modelPath: files.modelFile, threads: 1 }).catch(
      (e: unknown) => e,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).hint).toMatch(/reranker GGUF/);
  });

  it("a missing model file is a NotFoundError", async () => {
    await expect(createLlamaCppEmbedder({ modelPath: "/nonexistent/embed.gguf" })).rejects.toSatisfy(
      (e: unknown) => NotFoundError.isInstance(e),
    );
  });
});

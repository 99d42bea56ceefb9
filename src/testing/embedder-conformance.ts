/**
 * The Embedder conformance suite. Every embedder (glove, openai, ollama, llama-cpp, transformers,
 * custom, and third-party ones) runs it, so stores and searchers can rely on one set of
 * semantics: vectors of the declared size, batching that changes nothing, determinism, an empty
 * batch answered without work, the batch limit honoured, abort honoured, and typed errors.
 *
 * @example
 * runEmbedderConformance("my-embedder", () => createMyEmbedder({ url }), {
 *   countRequests: () => server.requests.length,
 * });
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { MemosError } from "../core/errors/memos-error.js";
import { type Embedder, embedMany } from "../core/interfaces/embedder.js";
import { rejection } from "./rejection.js";

/** The cases, by name, for `skip`. */
export type EmbedderConformanceCase =
  | "dimensions"
  | "batch-equals-singles"
  | "deterministic"
  | "empty-batch"
  | "max-batch"
  | "abort"
  | "bad-input";

/** How {@link runEmbedderConformance} treats one embedder: skips, tolerance, request counting. */
export interface EmbedderConformanceOptions {
  /** Cases this embedder cannot run, each with why (shown as the skipped test's name). */
  skip?: Partial<Record<EmbedderConformanceCase, string>>;
  /** Largest element-wise difference allowed between two embeddings of one text. Default 1e-5. */
  tolerance?: number;
  /** Requests sent so far, for remote embedders: an empty batch must send none. */
  countRequests?: () => number;
  /** Runs after the suite (close a server, dispose a model). */
  cleanup?: () => void | Promise<void>;
}

/** The texts the suite embeds (a mix of lengths, with punctuation and a non-Latin script). */
export const CONFORMANCE_TEXTS = [
  "I live in Lisbon.",
  "My sister Ana likes green tea and long walks by the river.",
  "Meeting moved to Thursday, 3 pm?",
  "東京に住んでいます",
];

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}

/** Define the suite for one embedder. `makeEmbedder` runs once; the cases share it. */
export function runEmbedderConformance(
  name: string,
  makeEmbedder: () => Embedder | Promise<Embedder>,
  options: EmbedderConformanceOptions = {},
): void {
  const tolerance = options.tolerance ?? 1e-5;
  const test = (id: EmbedderConformanceCase, title: string, body: () => Promise<void>) => {
    const reason = options.skip?.[id];
    if (reason) it.skip(`${id}: ${title} (skipped: ${reason})`, body);
    else it(`${id}: ${title}`, body);
  };
  const expectSame = (a: Float32Array[], b: Float32Array[]) => {
    expect(a).toHaveLength(b.length);
    for (let i = 0; i < a.length; i++) {
      expect(maxDifference(a[i] as Float32Array, b[i] as Float32Array), `vector ${i}`).toBeLessThanOrEqual(
        tolerance,
      );
    }
  };

  describe(`Embedder conformance: ${name}`, () => {
    let embedder: Embedder;
    const singles: Float32Array[] = [];
    beforeAll(async () => {
      embedder = await makeEmbedder();
      for (const text of CONFORMANCE_TEXTS) singles.push(...(await embedder.doEmbed([text])));
    });
    afterAll(async () => {
      await options.cleanup?.();
    });

    it("declares its spec version, provider, model id, dimensions and batch limit", () => {
      expect(embedder.specificationVersion).toBe("v1");
      expect(embedder.provider).toMatch(/\S/);
      expect(embedder.modelId).toMatch(/\S/);
      expect(Number.isInteger(embedder.dimensions) && embedder.dimensions > 0).toBe(true);
      expect(Number.isInteger(embedder.maxBatch) && embedder.maxBatch > 0).toBe(true);
    });

    test("dimensions", "one finite Float32Array of the declared size per text", async () => {
      const vectors = await embedder.doEmbed(CONFORMANCE_TEXTS);
      expect(vectors).toHaveLength(CONFORMANCE_TEXTS.length);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(embedder.dimensions);
        expect(v.every(Number.isFinite)).toBe(true);
      }
    });

    test("batch-equals-singles", "a text's vector does not depend on its batch", async () => {
      expectSame(await embedder.doEmbed(CONFORMANCE_TEXTS), singles);
    });

    test("deterministic", "the same text twice gives the same vector", async () => {
      expectSame(await embedder.doEmbed([CONFORMANCE_TEXTS[1] as string]), [singles[1] as Float32Array]);
    });

    test("empty-batch", "no texts → no vectors (and no request)", async () => {
      const before = options.countRequests?.();
      expect(await embedder.doEmbed([])).toEqual([]);
      if (before !== undefined) expect(options.countRequests?.()).toBe(before);
    });

    test(
      "max-batch",
      "maxBatch texts fit one call; beyond it, split or refused with InvalidInputError",
      async () => {
        const texts = Array.from(
          { length: embedder.maxBatch + 1 },
          (_, i) => CONFORMANCE_TEXTS[i % 4] as string,
        );
        expect(await embedder.doEmbed(texts.slice(0, embedder.maxBatch))).toHaveLength(embedder.maxBatch);
        const over = await embedder.doEmbed(texts).then(
          (vectors) => ({ vectors }),
          (error: unknown) => ({ error }),
        );
        if ("vectors" in over) expect(over.vectors).toHaveLength(texts.length);
        else expect(InvalidInputError.isInstance(over.error), String(over.error)).toBe(true);
        const all = await embedMany(embedder, texts);
        expectSame(
          all,
          texts.map((_, i) => singles[i % 4] as Float32Array),
        );
      },
    );

    test("abort", "an aborted signal rejects with an AbortError", async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await rejection(() => embedder.doEmbed(CONFORMANCE_TEXTS, { signal: controller.signal }));
      expect((error as Error).name).toBe("AbortError");
    });

    test("bad-input", "a text that is not a string → a typed MemosError, not a raw TypeError", async () => {
      const error = await rejection(() => embedder.doEmbed(["fine", 42 as unknown as string]));
      expect(MemosError.isInstance(error), String(error)).toBe(true);
    });
  });
}

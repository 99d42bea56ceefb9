import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, ProviderError } from "../../core/errors/index.js";
import { embedMany } from "../../core/interfaces/embedder.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../../testing/fixture-server.js";
import { createOpenAI } from "./index.js";

const EMBED = { method: "POST", path: "/v1/embeddings" };

let server: FixtureServer;
beforeEach(async () => {
  server = await startFixtureServer();
});
afterEach(async () => {
  await server.close();
});
const provider = (options: Parameters<typeof createOpenAI>[0] = {}) =>
  createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-test", ...options });

describe("OpenAI embeddings", () => {
  it("returns Float32Arrays in input order (sorted by index), float encoding, shortened dimensions", async () => {
    server.enqueue({ match: EMBED, body: readFixture("openai/embeddings.json") });
    const embedder = provider().embedding("text-embedding-3-small", { dimensions: 4 });
    expect(embedder.dimensions).toBe(4);
    const vectors = await embedder.doEmbed(["I live in Lisbon", "I like green tea"]);
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
    // the fixture lists index 1 first
    expect(Array.from(vectors[0] ?? [])).toEqual(
      Array.from(Float32Array.from([-0.0066, 0.0271, 0.0145, 0.0833])),
    );
    expect(Array.from(vectors[1] ?? [])).toEqual(
      Array.from(Float32Array.from([0.0121, -0.0348, 0.0917, -0.0052])),
    );
    expect(server.requests[0]?.body).toEqual({
      model: "text-embedding-3-small",
      input: ["I live in Lisbon", "I like green tea"],
      encoding_format: "float",
      dimensions: 4,
    });
  });

  it("knows OpenAI's dimensions (1536 small, 3072 large) and does not send them", () => {
    expect(provider().embedding("text-embedding-3-small").dimensions).toBe(1536);
    expect(provider().embedding("text-embedding-3-large").dimensions).toBe(3072);
    expect(provider().embedding("text-embedding-3-small").maxBatch).toBe(2048);
  });

  it("requires dimensions for other models (ConfigError naming embedding_dims)", () => {
    const make = () => provider({ preset: "vllm" }).embedding("BAAI/bge-m3");
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/needs its dimensions/);
  });

  it("a vector of the wrong length → ProviderError (never mixed widths in a store)", async () => {
    server.enqueue({ match: EMBED, body: readFixture("openai/embeddings.json") });
    const embedder = provider({ preset: "vllm" }).embedding("BAAI/bge-m3", { dimensions: 1024 });
    const error = await embedder.doEmbed(["a", "b"]).catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/length 4, expected 1024/);
    // dimensions of a non-OpenAI model are checked, not requested
    expect(server.requests[0]?.body).not.toHaveProperty("dimensions");
  });

  it("a count mismatch → ProviderError", async () => {
    server.enqueue({ match: EMBED, body: readFixture("openai/embeddings.json") });
    const embedder = provider().embedding("text-embedding-3-small", { dimensions: 4 });
    await expect(embedder.doEmbed(["a", "b", "c"])).rejects.toThrow(/returned 2 embeddings for 3 texts/);
  });

  it("splits large inputs into maxBatch-sized requests", async () => {
    const one = (index: number, x: number) => ({ object: "embedding", index, embedding: [x, 0, 0, 0] });
    server.enqueue(
      {
        match: EMBED,
        body: {
          object: "list",
          data: [one(0, 1), one(1, 2)],
          model: "m",
          usage: { prompt_tokens: 2, total_tokens: 2 },
        },
      },
      {
        match: EMBED,
        body: { object: "list", data: [one(0, 3)], model: "m", usage: { prompt_tokens: 1, total_tokens: 1 } },
      },
    );
    const embedder = provider({ preset: "vllm" }).embedding("intfloat/e5-small", {
      dimensions: 4,
      maxBatch: 2,
    });
    const vectors = await embedMany(embedder, ["a", "", "c"]);
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3]);
    expect(server.requests).toHaveLength(2);
    // OpenAI refuses empty strings: they go out as a space
    expect(server.body<{ input: string[] }>(0).input).toEqual(["a", " "]);
  });
});

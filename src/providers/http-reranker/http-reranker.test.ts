import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFromConfig } from "../../core/backend-registry.js";
import { AuthenticationError, ConfigError, ProviderError } from "../../core/errors/index.js";
import type { Reranker } from "../../core/interfaces/reranker.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../../testing/fixture-server.js";
import { createHttpReranker } from "./index.js";

const docs = ["I live in Lisbon", "I like green tea", "My home is in Lisbon, Portugal"];

let server: FixtureServer;
beforeEach(async () => {
  server = await startFixtureServer();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

describe("HTTP reranker", () => {
  it("tei: POST <url>/rerank {query, texts} → scores in the documents' order", async () => {
    server.enqueue({ match: { method: "POST", path: "/rerank" }, body: readFixture("rerank/tei.json") });
    const reranker = createHttpReranker({ style: "tei", url: server.url });
    expect(await reranker.doRerank("where do I live?", docs)).toEqual([0.412, 0.0023, 0.9981]);
    expect(server.requests[0]?.body).toEqual({
      query: "where do I live?",
      texts: docs,
      raw_scores: false,
      truncate: true,
    });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("cohere: {model, query, documents, top_n} with the bearer key → relevance_score by index", async () => {
    server.enqueue({
      match: { method: "POST", path: "/v2/rerank" },
      body: readFixture("rerank/cohere.json"),
    });
    const reranker = createHttpReranker({
      style: "cohere",
      url: `${server.url}/v2/rerank`,
      apiKey: "co-key",
    });
    expect(reranker.modelId).toBe("rerank-v3.5");
    expect(await reranker.doRerank("where do I live?", docs)).toEqual([0.412, 0.0023, 0.9981]);
    expect(server.requests[0]?.body).toEqual({
      model: "rerank-v3.5",
      query: "where do I live?",
      documents: docs,
      top_n: 3,
    });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer co-key");
  });

  it("jina: Cohere's shape, key from JINA_API_KEY", async () => {
    vi.stubEnv("JINA_API_KEY", "jina-key");
    server.enqueue({ match: { method: "POST", path: "/v1/rerank" }, body: readFixture("rerank/jina.json") });
    const reranker = createHttpReranker({ style: "jina", url: `${server.url}/v1/rerank` });
    expect(await reranker.doRerank("where do I live?", docs)).toEqual([0.33, 0.05, 0.91]);
    expect(server.requests[0]?.body).toMatchObject({
      model: "jina-reranker-v2-base-multilingual",
      return_documents: false,
    });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer jina-key");
  });

  it("bge: accepts {data: [{index, score}]}, TEI arrays and Cohere results", async () => {
    const reranker = createHttpReranker({
      style: "bge",
      url: `${server.url}/v1/rerank`,
      model: "BAAI/bge-reranker-v2-m3",
    });
    server.enqueue(
      { match: { path: "/v1/rerank" }, body: readFixture("rerank/bge-data.json") },
      { match: { path: "/v1/rerank" }, body: readFixture("rerank/tei.json") },
      { match: { path: "/v1/rerank" }, body: readFixture("rerank/cohere.json") },
    );
    expect(await reranker.doRerank("q", docs)).toEqual([0.71, 0.02, 0.93]);
    expect(await reranker.doRerank("q", docs)).toEqual([0.412, 0.0023, 0.9981]);
    expect(await reranker.doRerank("q", docs)).toEqual([0.412, 0.0023, 0.9981]);
    expect(server.requests[0]?.body).toEqual({
      model: "BAAI/bge-reranker-v2-m3",
      query: "q",
      documents: docs,
      top_n: 3,
    });
  });

  it("batches by maxBatch and joins scores in order", async () => {
    server.enqueue(
      {
        body: [
          { index: 1, score: 0.2 },
          { index: 0, score: 0.1 },
        ],
      },
      { body: [{ index: 0, score: 0.3 }] },
    );
    const reranker = createHttpReranker({ style: "tei", url: server.url, maxBatch: 2 });
    expect(await reranker.doRerank("q", docs)).toEqual([0.1, 0.2, 0.3]);
    expect(server.body<{ texts: string[] }>(1).texts).toEqual([docs[2]]);
  });

  it("no documents → no request", async () => {
    expect(await createHttpReranker({ url: server.url }).doRerank("q", [])).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it("a response in a foreign shape → ProviderError naming the styles (zod-validated)", async () => {
    server.enqueue({ body: { scores: [0.1, 0.2, 0.3] } });
    const error = await createHttpReranker({ style: "cohere", url: `${server.url}/rerank`, apiKey: "k" })
      .doRerank("q", docs)
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/unexpected shape \(results: /);
    expect((error as ProviderError).hint).toMatch(/tei, cohere, jina, bge/);
  });

  it("a missing score → ProviderError, never a silent hole", async () => {
    server.enqueue({ body: [{ index: 0, score: 0.5 }] });
    await expect(createHttpReranker({ url: server.url }).doRerank("q", docs)).rejects.toThrow(
      /no score for document 1/,
    );
  });

  it("401 → AuthenticationError naming COHERE_API_KEY", async () => {
    server.enqueue({ status: 401, body: { message: "invalid api token" } });
    const error = await createHttpReranker({ style: "cohere", url: `${server.url}/v2/rerank`, apiKey: "bad" })
      .doRerank("q", docs)
      .catch((e: unknown) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).message).toMatch(/invalid api token/);
    expect((error as AuthenticationError).hint).toMatch(/COHERE_API_KEY/);
  });

  it("429 (Retry-After: 0) then 200 → retried", async () => {
    server.enqueue(
      { status: 429, headers: { "retry-after": "0" }, body: { error: "Model is overloaded" } },
      { body: readFixture("rerank/tei.json") },
    );
    expect(await createHttpReranker({ url: server.url }).doRerank("q", docs)).toEqual([
      0.412, 0.0023, 0.9981,
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it("500 on every attempt → ProviderError after maxRetries + 1 requests", async () => {
    for (let i = 0; i < 2; i++)
      server.enqueue({ status: 500, headers: { "retry-after": "0" }, body: { error: "CUDA out of memory" } });
    const error = await createHttpReranker({ url: server.url, maxRetries: 1 })
      .doRerank("q", docs)
      .catch((e: unknown) => e);
    expect((error as ProviderError).status).toBe(500);
    expect((error as ProviderError).message).toMatch(/CUDA out of memory/);
    expect(server.requests).toHaveLength(2);
  });

  it("timeout → ProviderError", async () => {
    server.enqueue({ delayMs: 3000, body: readFixture("rerank/tei.json") });
    const error = await createHttpReranker({ url: server.url, timeoutMs: 100, maxRetries: 0 })
      .doRerank("q", docs)
      .catch((e: unknown) => e);
    expect((error as ProviderError).message).toMatch(/http-tei request timed out after 100 ms/);
  });

  it("config errors: no url for tei, bad url, unknown style", () => {
    expect(() => createHttpReranker({ style: "tei" })).toThrow(ConfigError);
    expect(() => createHttpReranker({ url: "not a url" })).toThrow(/invalid reranker url/);
    expect(() => createHttpReranker({ style: "x" as "tei", url: server.url })).toThrow(
      /unknown reranker style/,
    );
  });

  it("registry: http and MemOS's http_bge (timeout in seconds, headers_extra)", async () => {
    const reranker = await createFromConfig<Reranker>("reranker", {
      backend: "http_bge",
      config: {
        url: `${server.url}/v1/rerank`,
        model: "bge-reranker-v2-m3",
        timeout: 10,
        headers_extra: { "x-k": "v" },
      },
    });
    server.enqueue({ body: readFixture("rerank/bge-data.json") });
    expect(await reranker.doRerank("q", docs)).toEqual([0.71, 0.02, 0.93]);
    expect(server.requests[0]?.headers["x-k"]).toBe("v");
    const tei = await createFromConfig<Reranker>("reranker", {
      backend: "http",
      config: { url: server.url },
    });
    expect(tei.provider).toBe("http-tei");
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ConfigError, ProviderError } from "../../core/errors/index.js";
import type { StreamPart } from "../../core/interfaces/language-model.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../../testing/fixture-server.js";
import { generateObject } from "../shared/generate-object.js";
import { createOllama } from "./index.js";

const CHAT = { method: "POST", path: "/api/chat" };
const EMBED = { method: "POST", path: "/api/embed" };
const user = (content: string) => [{ role: "user" as const, content }];

function chat(content: string, extra: Record<string, unknown> = {}) {
  return {
    ...readFixture<Record<string, unknown>>("ollama/chat.json"),
    message: { role: "assistant", content },
    ...extra,
  };
}

let server: FixtureServer;
beforeEach(async () => {
  server = await startFixtureServer();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});
const ollama = (options: Parameters<typeof createOllama>[0] = {}) =>
  createOllama({ host: server.url, ...options });

describe("Ollama chat", () => {
  it("sends model, messages, stream: false and options; maps usage from eval counts", async () => {
    server.enqueue({ match: CHAT, body: readFixture("ollama/chat.json") });
    const model = ollama()("qwen2.5:7b", { temperature: 0, topK: 40, numCtx: 8192, maxTokens: 512 });
    expect(model.structuredOutput).toBe("json-schema");
    const result = await model.doGenerate(user("Where do I live?"), {
      topP: 0.8,
      stop: ["</s>"],
      seed: 42,
      maxTokens: 256,
    });
    expect(result).toEqual({
      text: "You live in Lisbon.",
      usage: { inputTokens: 31, outputTokens: 7, totalTokens: 38 },
      finishReason: "stop",
    });
    expect(server.requests[0]?.body).toEqual({
      model: "qwen2.5:7b",
      messages: [{ role: "user", content: "Where do I live?" }],
      stream: false,
      options: {
        temperature: 0,
        top_p: 0.8,
        top_k: 40,
        num_predict: 256,
        seed: 42,
        num_ctx: 8192,
        stop: ["</s>"],
      },
    });
  });

  it("generateObject sends the JSON schema as `format`", async () => {
    server.enqueue({ match: CHAT, body: chat('{"city":"Lisbon","since":2019}') });
    const { object } = await generateObject(
      ollama()("qwen2.5:7b"),
      user("Where?"),
      z.object({ city: z.string(), since: z.number() }),
    );
    expect(object).toEqual({ city: "Lisbon", since: 2019 });
    expect(server.body<{ format: unknown }>(0).format).toEqual({
      type: "object",
      properties: { city: { type: "string" }, since: { type: "number" } },
      required: ["city", "since"],
      additionalProperties: false,
    });
  });

  it('json without a schema → format: "json"; think and keep_alive pass through', async () => {
    server.enqueue({ match: CHAT, body: chat("{}") });
    await ollama()("qwen3:0.6b", { think: false, keepAlive: "10m" }).doGenerate(user("JSON please"), {
      responseFormat: { type: "json" },
    });
    expect(server.requests[0]?.body).toMatchObject({ format: "json", think: false, keep_alive: "10m" });
  });

  it("removeThinkPrefix strips qwen3's <think> block", async () => {
    server.enqueue({ match: CHAT, body: chat("<think>\nOkay, the user...\n</think>\n\nLisbon.") });
    const result = await ollama()("qwen3:0.6b", { removeThinkPrefix: true }).doGenerate(user("?"));
    expect(result.text).toBe("Lisbon.");
  });

  it("an empty answer → ProviderError", async () => {
    server.enqueue({ match: CHAT, body: chat("", { done_reason: "length" }) });
    const error = await ollama()("qwen2.5:7b")
      .doGenerate(user("?"))
      .catch((e: unknown) => e);
    expect((error as ProviderError).message).toMatch(/empty answer/);
    expect((error as ProviderError).hint).toMatch(/num_predict/);
  });

  it("streams NDJSON into deltas and a finish part with usage", async () => {
    server.enqueue({ match: CHAT, ndjson: readFixture<unknown[]>("ollama/chat-stream.json") });
    const parts: StreamPart[] = [];
    for await (const p of ollama()("qwen2.5:7b").doStream(user("Where do I live?"))) parts.push(p);
    expect(server.body<{ stream: boolean }>(0).stream).toBe(true);
    expect(parts).toEqual([
      { type: "text-delta", delta: "You" },
      { type: "text-delta", delta: " live" },
      { type: "text-delta", delta: " in" },
      { type: "text-delta", delta: " Lisbon" },
      { type: "text-delta", delta: "." },
      { type: "finish", usage: { inputTokens: 31, outputTokens: 6, totalTokens: 37 }, finishReason: "stop" },
    ]);
  });

  it("an error line in the stream → ProviderError", async () => {
    server.enqueue({
      match: CHAT,
      ndjson: [
        {
          model: "qwen2.5:7b",
          created_at: "2025-03-10T09:32:01Z",
          message: { role: "assistant", content: "You" },
          done: false,
        },
        { error: "an error was encountered while running the model: unexpected EOF" },
      ],
    });
    const run = async () => {
      for await (const _ of ollama()("qwen2.5:7b").doStream(user("?"))) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(/unexpected EOF/);
  });

  it("404 model not found → hint 'ollama pull <model>'", async () => {
    server.enqueue({ match: CHAT, status: 404, body: readFixture("ollama/error-model-not-found.json") });
    const error = await ollama()("qwen2.5:7b")
      .doGenerate(user("?"))
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).status).toBe(404);
    expect((error as ProviderError).message).toMatch(/not found, try pulling it first/);
    expect((error as ProviderError).hint).toBe("ollama pull qwen2.5:7b");
    expect(server.requests).toHaveLength(1);
  });

  it("connection refused → 'is Ollama running? set OLLAMA_HOST', not retried", async () => {
    const closed = await startFixtureServer();
    const host = closed.url;
    await closed.close();
    const error = await createOllama({ host })("qwen2.5:7b")
      .doGenerate(user("?"))
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/could not reach Ollama at .*ECONNREFUSED/);
    expect((error as ProviderError).hint).toMatch(/is Ollama running\?.*OLLAMA_HOST/);
    expect((error as ProviderError).retryable).toBe(false);
  });

  it("503 then 200 → retried", async () => {
    server.enqueue(
      {
        match: CHAT,
        status: 503,
        headers: { "retry-after": "0" },
        body: { error: "server busy, please try again" },
      },
      { match: CHAT, body: readFixture("ollama/chat.json") },
    );
    expect((await ollama()("qwen2.5:7b").doGenerate(user("?"))).text).toBe("You live in Lisbon.");
    expect(server.requests).toHaveLength(2);
  });

  it("timeout → retryable ProviderError", async () => {
    server.enqueue({ match: CHAT, delayMs: 3000, body: readFixture("ollama/chat.json") });
    const error = await ollama({ timeoutMs: 120, maxRetries: 0 })("qwen2.5:7b")
      .doGenerate(user("?"))
      .catch((e: unknown) => e);
    expect((error as ProviderError).message).toMatch(/ollama request timed out after 120 ms/);
    expect((error as ProviderError).retryable).toBe(true);
  });

  it("reads OLLAMA_HOST at the first request; headers are sent", async () => {
    const model = createOllama({ headers: { authorization: "Bearer proxy-token" } })("qwen2.5:7b");
    vi.stubEnv("OLLAMA_HOST", server.url);
    server.enqueue({ match: CHAT, body: readFixture("ollama/chat.json") });
    await model.doGenerate(user("?"));
    expect(server.requests[0]?.headers.authorization).toBe("Bearer proxy-token");
  });
});

describe("Ollama embeddings", () => {
  it("embeds via /api/embed {model, input} in order, checking dimensions", async () => {
    server.enqueue({ match: EMBED, body: readFixture("ollama/embed.json") });
    const embedder = ollama().embedding("nomic-embed-text", { dimensions: 4 });
    const vectors = await embedder.doEmbed(["I live in Lisbon", "I like green tea"]);
    expect(server.requests[0]?.body).toEqual({
      model: "nomic-embed-text",
      input: ["I live in Lisbon", "I like green tea"],
    });
    expect(vectors.map((v) => Array.from(v))).toEqual([
      Array.from(Float32Array.from([0.0105, 0.0461, -0.1652, -0.0214])),
      Array.from(Float32Array.from([-0.0322, 0.0718, -0.1409, 0.0093])),
    ]);
  });

  it("knows common models' sizes; a wrong size from the server → ProviderError", async () => {
    const embedder = ollama().embedding("nomic-embed-text:latest");
    expect(embedder.dimensions).toBe(768);
    server.enqueue({ match: EMBED, body: readFixture("ollama/embed.json") });
    await expect(embedder.doEmbed(["a", "b"])).rejects.toThrow(/length 4 at index 0, expected 768/);
  });

  it("an unknown model without dimensions → ConfigError", () => {
    expect(() => ollama().embedding("my-embedder")).toThrow(ConfigError);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AuthenticationError, LLMOutputError, ProviderError } from "../../core/errors/index.js";
import type { StreamPart } from "../../core/interfaces/language-model.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../../testing/fixture-server.js";
import { generateObject } from "../shared/generate-object.js";
import { createOpenAI } from "./index.js";

const CHAT = { method: "POST", path: "/v1/chat/completions" };
const user = (content: string) => [{ role: "user" as const, content }];

/** The chat-completion fixture with other content / finish reason. */
function completion(content: string, finish = "stop") {
  const body = readFixture<{ choices: Array<{ message: { content: string }; finish_reason: string }> }>(
    "openai/chat-completion.json",
  );
  const choice = body.choices[0];
  if (!choice) throw new Error("fixture has no choice");
  choice.message.content = content;
  choice.finish_reason = finish;
  return body;
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

let server: FixtureServer;
beforeEach(async () => {
  server = await startFixtureServer();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

const provider = (options: Parameters<typeof createOpenAI>[0] = {}) =>
  createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-test", ...options });

describe("OpenAI chat: doGenerate", () => {
  it("sends model, messages and sampling settings; maps text, usage and finish reason", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion.json") });
    const model = provider()("gpt-4o-mini", { temperature: 0.2, maxTokens: 100 });
    const result = await model.doGenerate(
      [
        { role: "system", content: "You answer from memory." },
        { role: "user", content: "Where do I live?" },
      ],
      { topP: 0.9, stop: ["\n\n"], seed: 7, maxTokens: 50 },
    );
    expect(result).toEqual({
      text: "You live in Lisbon.",
      usage: { inputTokens: 19, outputTokens: 6, totalTokens: 25 },
      finishReason: "stop",
    });
    const req = server.requests[0];
    expect(req?.path).toBe("/v1/chat/completions");
    expect(req?.headers.authorization).toBe("Bearer sk-test");
    expect(req?.body).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "You answer from memory." },
        { role: "user", content: "Where do I live?" },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50, // the per-call option wins over the model setting
      stop: ["\n\n"],
      seed: 7,
    });
  });

  it("uses max_completion_tokens and no temperature for OpenAI reasoning models", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion.json") });
    await provider()("o4-mini", { temperature: 0.5, maxTokens: 200 }).doGenerate(user("hi"));
    const body = server.body<Record<string, unknown>>(0);
    expect(body.max_completion_tokens).toBe(200);
    expect(body).not.toHaveProperty("max_tokens");
    expect(body).not.toHaveProperty("temperature");
  });

  it("passes extraBody through and sends custom headers", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion.json") });
    await provider({ preset: "vllm", headers: { "x-team": "memos" } })("Qwen/Qwen3-8B", {
      extraBody: { chat_template_kwargs: { enable_thinking: false } },
    }).doGenerate(user("hi"));
    expect(server.requests[0]?.body).toMatchObject({ chat_template_kwargs: { enable_thinking: false } });
    expect(server.requests[0]?.headers["x-team"]).toBe("memos");
  });

  it("never returns an empty answer: empty content with finish 'length' → ProviderError (raise maxTokens)", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion-length-empty.json") });
    const error = await provider()("o4-mini")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/empty answer \(finish reason: length\)/);
    expect((error as ProviderError).hint).toMatch(/raise maxTokens/);
  });

  it("an empty choices list → ProviderError", async () => {
    server.enqueue({ match: CHAT, body: { ...completion("x"), choices: [] } });
    await expect(provider()("gpt-4o-mini").doGenerate(user("hi"))).rejects.toThrow(/returned no choices/);
  });

  it("strips a leading <think> block when removeThinkPrefix is set", async () => {
    server.enqueue({
      match: CHAT,
      body: completion("<think>The user said Lisbon {maybe}.</think>\n\nLisbon."),
    });
    const result = await provider({ preset: "vllm" })("Qwen/Qwen3-8B", {
      removeThinkPrefix: true,
    }).doGenerate(user("hi"));
    expect(result.text).toBe("Lisbon.");
  });
});

describe("OpenAI chat: response_format", () => {
  const strictSchema = z.object({ city: z.string(), since: z.number() });

  it("json + strict-compatible schema → json_schema with strict: true (and no $schema key)", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion-json.json") });
    const { object, repairs, usage } = await generateObject(
      provider()("gpt-4o-mini"),
      user("Where?"),
      strictSchema,
      {
        schemaName: "home city",
      },
    );
    expect(object).toEqual({ city: "Lisbon", since: 2019 });
    expect(repairs).toBe(0);
    expect(usage).toEqual({ inputTokens: 84, outputTokens: 12, totalTokens: 96 });
    const body = server.requests[0]?.body as { response_format: unknown; messages: unknown };
    expect(body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "home_city",
        strict: true,
        schema: {
          type: "object",
          properties: { city: { type: "string" }, since: { type: "number" } },
          required: ["city", "since"],
          additionalProperties: false,
        },
      },
    });
    // json-schema backends get the prompt unchanged
    expect(body.messages).toEqual(user("Where?"));
  });

  it("optional fields make the schema non-strict → strict: false", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion-json.json") });
    await generateObject(
      provider()("gpt-4o-mini"),
      user("Where?"),
      z.object({ city: z.string(), since: z.number().optional() }),
    );
    const body = server.body<{ response_format: { json_schema: { strict: boolean } } }>(0);
    expect(body.response_format.json_schema.strict).toBe(false);
  });

  it("json without a schema → json_object", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion-json.json") });
    await provider()("gpt-4o-mini").doGenerate(user("Answer in JSON"), { responseFormat: { type: "json" } });
    expect(server.body<{ response_format: unknown }>(0).response_format).toEqual({
      type: "json_object",
    });
  });

  it("DeepSeek (json only) → json_object, schema put in the system prompt by generateObject", async () => {
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion-json.json") });
    const deepseek = provider({ preset: "deepseek" })("deepseek-chat");
    expect(deepseek.structuredOutput).toBe("json");
    await generateObject(deepseek, user("Where?"), strictSchema);
    const body = server.requests[0]?.body as {
      response_format: unknown;
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.messages[0]?.role).toBe("system");
    expect(body.messages[0]?.content).toContain('"city"');
  });

  it("a non-object root (array) cannot use JSON mode → no response_format, schema in the prompt", async () => {
    server.enqueue({ match: CHAT, body: completion('["Lisbon","Porto"]') });
    const { object } = await generateObject(provider()("gpt-4o-mini"), user("Cities?"), z.array(z.string()));
    expect(object).toEqual(["Lisbon", "Porto"]);
    const body = server.requests[0]?.body as { messages: Array<{ role: string; content: string }> };
    expect(body).not.toHaveProperty("response_format");
    expect(body.messages[0]?.content).toContain('"type":"array"');
  });
});

describe("OpenAI chat: streaming (SSE)", () => {
  it("sends stream + include_usage, yields deltas then a finish part with usage", async () => {
    server.enqueue({ match: CHAT, sse: readFixture<unknown[]>("openai/chat-stream.json") });
    const parts = await collect(provider()("gpt-4o-mini").doStream(user("Where do I live?")));
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(parts).toEqual([
      { type: "text-delta", delta: "You" },
      { type: "text-delta", delta: " live" },
      { type: "text-delta", delta: " in" },
      { type: "text-delta", delta: " Lisbon" },
      { type: "text-delta", delta: "." },
      { type: "finish", usage: { inputTokens: 19, outputTokens: 6, totalTokens: 25 }, finishReason: "stop" },
    ]);
  });

  it("filters a leading <think> block out of the stream", async () => {
    const chunk = (content: string) => ({
      id: "c",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    server.enqueue({
      match: CHAT,
      sse: [chunk("<thi"), chunk("nk>hmm {"), chunk("}</think>"), chunk("\n\nLis"), chunk("bon"), "[DONE]"],
    });
    const parts = await collect(
      provider({ preset: "vllm" })("Qwen/Qwen3-8B", { removeThinkPrefix: true }).doStream(user("?")),
    );
    const text = parts.map((p) => (p.type === "text-delta" ? p.delta : "")).join("");
    expect(text).toBe("Lisbon");
  });

  it("a stream with no text → ProviderError", async () => {
    server.enqueue({ match: CHAT, sse: ["[DONE]"] });
    await expect(collect(provider()("gpt-4o-mini").doStream(user("?")))).rejects.toThrow(/empty answer/);
  });
});

describe("OpenAI chat: errors and retries", () => {
  it("401 → AuthenticationError whose hint names OPENAI_API_KEY; not retried", async () => {
    server.enqueue({ match: CHAT, status: 401, body: readFixture("openai/error-401.json") });
    const error = await provider()("gpt-4o-mini")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).message).toMatch(/Incorrect API key/);
    expect((error as AuthenticationError).hint).toMatch(/set OPENAI_API_KEY/);
    expect(server.requests).toHaveLength(1);
  });

  it("the hint names the preset's variable (DEEPSEEK_API_KEY, DASHSCOPE_API_KEY, HF_TOKEN)", async () => {
    for (const [preset, variable] of [
      ["deepseek", "DEEPSEEK_API_KEY"],
      ["qwen", "DASHSCOPE_API_KEY"],
      ["huggingface", "HF_TOKEN"],
    ] as const) {
      server.enqueue({ match: CHAT, status: 401, body: readFixture("openai/error-401.json") });
      const error = await provider({ preset })("m")
        .doGenerate(user("hi"))
        .catch((e: unknown) => e);
      expect((error as AuthenticationError).hint).toContain(`set ${variable}`);
    }
  });

  it("a missing key → AuthenticationError before any request", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    const model = createOpenAI({ baseURL: `${server.url}/v1` })("gpt-4o-mini");
    const error = await model.doGenerate(user("hi")).catch((e: unknown) => e);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).hint).toMatch(/set OPENAI_API_KEY/);
    expect(server.requests).toHaveLength(0);
  });

  it("reads the key from the environment lazily", async () => {
    const model = createOpenAI({ baseURL: `${server.url}/v1` })("gpt-4o-mini");
    vi.stubEnv("OPENAI_API_KEY", "sk-from-env");
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion.json") });
    await model.doGenerate(user("hi"));
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-from-env");
  });

  it("429 with Retry-After: 0, then 200 → retried once and succeeds", async () => {
    server.enqueue(
      {
        match: CHAT,
        status: 429,
        headers: { "retry-after": "0" },
        body: readFixture("openai/error-429.json"),
      },
      { match: CHAT, body: readFixture("openai/chat-completion.json") },
    );
    const started = Date.now();
    const result = await provider()("gpt-4o-mini").doGenerate(user("hi"));
    expect(result.text).toBe("You live in Lisbon.");
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(400); // Retry-After: 0 beats the 500 ms backoff
  });

  it("500 three times → ProviderError (status 500, retryable) after maxRetries + 1 requests", async () => {
    for (let i = 0; i < 3; i++)
      server.enqueue({ match: CHAT, status: 500, body: readFixture("openai/error-500.json") });
    const error = await provider({ maxRetries: 2 })("gpt-4o-mini")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).status).toBe(500);
    expect((error as ProviderError).retryable).toBe(true);
    expect((error as ProviderError).message).toMatch(/The server had an error/);
    expect(server.requests).toHaveLength(3);
  });

  it("a reset connection is retried", async () => {
    server.enqueue(
      { match: CHAT, destroy: true },
      { match: CHAT, body: readFixture("openai/chat-completion.json") },
    );
    const result = await provider()("gpt-4o-mini").doGenerate(user("hi"));
    expect(result.text).toBe("You live in Lisbon.");
    expect(server.requests).toHaveLength(2);
  });

  it("timeout → retryable ProviderError 'timed out after N ms'", async () => {
    server.enqueue({ match: CHAT, delayMs: 3000, body: readFixture("openai/chat-completion.json") });
    const error = await provider({ timeoutMs: 150, maxRetries: 0 })("gpt-4o-mini")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/timed out after 150 ms/);
    expect((error as ProviderError).retryable).toBe(true);
  });

  it("the caller's abort rejects at once with its reason and is not retried", async () => {
    server.enqueue({ match: CHAT, delayMs: 3000, body: readFixture("openai/chat-completion.json") });
    const controller = new AbortController();
    const pending = provider()("gpt-4o-mini").doGenerate(user("hi"), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
  });

  it("404 → ProviderError with the server's message and 'check the model name'", async () => {
    server.enqueue({ match: CHAT, status: 404, body: readFixture("openai/error-404-model.json") });
    const error = await provider()("gpt-9-turbo")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect((error as ProviderError).status).toBe(404);
    expect((error as ProviderError).message).toMatch(/does not exist/);
    expect((error as ProviderError).hint).toMatch(/check the model name "gpt-9-turbo"/);
    expect((error as ProviderError).retryable).toBe(false);
  });

  it("connection refused on a local server → 'is the server running?', not retried", async () => {
    const closed = await startFixtureServer();
    const url = closed.url;
    await closed.close();
    const error = await createOpenAI({ preset: "vllm", baseURL: `${url}/v1` })("Qwen/Qwen3-8B")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toMatch(/could not reach vllm.*ECONNREFUSED/);
    expect((error as ProviderError).hint).toMatch(/is the server running\?/);
    expect((error as ProviderError).retryable).toBe(false);
  });
});

describe("OpenAI chat: generateObject repair", () => {
  const schema = z.object({ city: z.string(), since: z.number() });

  it("malformed JSON then valid on repair → object with repairs = 1; the repair prompt carries the error", async () => {
    server.enqueue(
      { match: CHAT, body: completion('{"city": "Lisbon", "since": "a while"}') },
      { match: CHAT, body: readFixture("openai/chat-completion-json.json") },
    );
    const result = await generateObject(provider()("gpt-4o-mini"), user("Where do I live?"), schema);
    expect(result.object).toEqual({ city: "Lisbon", since: 2019 });
    expect(result.repairs).toBe(1);
    expect(result.usage).toEqual({ inputTokens: 19 + 84, outputTokens: 6 + 12, totalTokens: 25 + 96 });
    const repair = server.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    expect(repair.messages.at(-2)).toEqual({
      role: "assistant",
      content: '{"city": "Lisbon", "since": "a while"}',
    });
    const last = repair.messages.at(-1);
    expect(last?.role).toBe("user");
    expect(last?.content).toMatch(/not valid: since: .*expected number/i);
  });

  it("malformed twice → LLMOutputError whose .text is the raw answer", async () => {
    server.enqueue(
      { match: CHAT, body: completion("Lisbon, I think") },
      { match: CHAT, body: completion("{city: Lisbon}") },
    );
    const error = await generateObject(provider()("gpt-4o-mini"), user("Where?"), schema).catch(
      (e: unknown) => e,
    );
    expect(LLMOutputError.isInstance(error)).toBe(true);
    expect((error as LLMOutputError).text).toBe("{city: Lisbon}");
    expect(server.requests).toHaveLength(2);
  });
});

describe("OpenAI-compatible presets", () => {
  it("vllm needs no key: sends the placeholder 'EMPTY'", async () => {
    vi.stubEnv("VLLM_API_KEY", "");
    server.enqueue({ match: CHAT, body: readFixture("openai/chat-completion.json") });
    await createOpenAI({ preset: "vllm", baseURL: `${server.url}/v1` })("Qwen/Qwen3-8B").doGenerate(
      user("hi"),
    );
    expect(server.requests[0]?.headers.authorization).toBe("Bearer EMPTY");
  });

  it("azure: deployment path, api-version query and api-key header", async () => {
    server.enqueue({
      match: { method: "POST", path: "/openai/deployments/my-gpt4o/chat/completions" },
      body: readFixture("openai/chat-completion.json"),
    });
    const azure = createOpenAI({
      preset: "azure",
      baseURL: server.url,
      apiKey: "azure-key",
      apiVersion: "2024-10-21",
    });
    const model = azure("my-gpt4o");
    expect(model.provider).toBe("azure");
    expect(model.structuredOutput).toBe("json-schema");
    await model.doGenerate(user("hi"));
    const req = server.requests[0];
    expect(req?.query["api-version"]).toBe("2024-10-21");
    expect(req?.headers["api-key"]).toBe("azure-key");
    expect(req?.headers.authorization).toBeUndefined();
  });

  it("azure without an endpoint → ConfigError naming AZURE_OPENAI_ENDPOINT", async () => {
    vi.stubEnv("AZURE_OPENAI_ENDPOINT", "");
    const error = await createOpenAI({ preset: "azure", apiKey: "k" })("dep")
      .doGenerate(user("hi"))
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("config");
    expect((error as { hint?: string }).hint).toMatch(/AZURE_OPENAI_ENDPOINT/);
  });

  it("an unknown preset → ConfigError listing the presets", () => {
    expect(() => createOpenAI({ preset: "nope" as "openai" })).toThrow(/unknown OpenAI-compatible preset/);
  });
});

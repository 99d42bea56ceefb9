/**
 * The OpenAI-compatible chat model and embedder against the conformance suites, over a fake
 * OpenAI server on 127.0.0.1 that answers from the recorded fixtures. Request shapes and
 * OpenAI-specific errors are tested in openai-chat-language-model.test.ts / openai-embedder.test.ts.
 */
import { runEmbedderConformance } from "../../testing/embedder-conformance.js";
import { fakeEmbedding } from "../../testing/fake-embedding.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../../testing/fixture-server.js";
import { runLanguageModelConformance } from "../../testing/language-model-conformance.js";
import { createOpenAI } from "./openai-provider.js";

const KEY = "sk-test";
let server: FixtureServer | undefined;

/** One fake server for both suites: recorded chat answers, computed embeddings, key checked. */
async function fakeOpenAI(): Promise<FixtureServer> {
  if (server) return server;
  const s = await startFixtureServer();
  const refused = (authorization: unknown) => authorization !== `Bearer ${KEY}`;
  s.route({ method: "POST", path: "/v1/chat/completions" }, (req) => {
    if (refused(req.headers.authorization))
      return { status: 401, body: readFixture("openai/error-401.json") };
    const body = req.body as { stream?: boolean; response_format?: unknown };
    if (body.stream) return { sse: readFixture<unknown[]>("openai/chat-stream.json") };
    const completion = readFixture<{ choices: Array<{ message: { content: string } }> }>(
      "openai/chat-completion.json",
    );
    const choice = completion.choices[0];
    if (choice && body.response_format) choice.message.content = '{"answer":"Lisbon"}';
    return { body: completion };
  });
  s.route({ method: "POST", path: "/v1/embeddings" }, (req) => {
    const { input, dimensions } = req.body as { input: unknown[]; dimensions?: number };
    if (!input.every((t) => typeof t === "string"))
      return {
        status: 400,
        body: { error: { message: "'$.input' is invalid.", type: "invalid_request_error" } },
      };
    return {
      body: {
        object: "list",
        data: input.map((t, index) => ({
          object: "embedding",
          index,
          embedding: fakeEmbedding(t as string, dimensions ?? 8),
        })),
        model: "text-embedding-3-small",
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      },
    };
  });
  server = s;
  return s;
}

const provider = async (apiKey = KEY) =>
  createOpenAI({ baseURL: `${(await fakeOpenAI()).url}/v1`, apiKey, maxRetries: 0 });

runLanguageModelConformance("openai (fixture server)", async () => (await provider())("gpt-4o-mini"), {
  reportsUsage: true,
  makeUnauthenticatedModel: async () => (await provider("sk-wrong"))("gpt-4o-mini"),
});

runEmbedderConformance(
  "openai (fixture server)",
  async () => (await provider()).embedding("text-embedding-3-small", { dimensions: 8, maxBatch: 3 }),
  {
    countRequests: () => server?.requests.length ?? 0,
    cleanup: async () => {
      await server?.close();
      server = undefined;
    },
  },
);

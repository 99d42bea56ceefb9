/**
 * The Ollama chat model and embedder against the conformance suites, over a fake Ollama server on
 * 127.0.0.1 that answers from the recorded fixtures (behind a bearer-token proxy, so the
 * auth-error case runs). Request shapes and Ollama-specific errors are tested in ollama.test.ts.
 */
import { runEmbedderConformance } from "../../testing/embedder-conformance.js";
import { fakeEmbedding } from "../../testing/fake-embedding.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../../testing/fixture-server.js";
import { runLanguageModelConformance } from "../../testing/language-model-conformance.js";
import { createOllama } from "./ollama-provider.js";

const TOKEN = "Bearer proxy-token";
let server: FixtureServer | undefined;

async function fakeOllama(): Promise<FixtureServer> {
  if (server) return server;
  const s = await startFixtureServer();
  s.route({ method: "POST", path: "/api/chat" }, (req) => {
    if (req.headers.authorization !== TOKEN) return { status: 401, body: { error: "unauthorized" } };
    const body = req.body as { stream?: boolean; format?: unknown };
    if (body.stream) return { ndjson: readFixture<unknown[]>("ollama/chat-stream.json") };
    const chat = readFixture<{ message: { content: string } }>("ollama/chat.json");
    if (body.format) chat.message.content = '{"answer":"Lisbon"}';
    return { body: chat };
  });
  s.route({ method: "POST", path: "/api/embed" }, (req) => {
    const { input } = req.body as { input: unknown[] };
    if (!input.every((t) => typeof t === "string"))
      return { status: 400, body: { error: "invalid input type" } };
    return {
      body: { model: "nomic-embed-text", embeddings: input.map((t) => fakeEmbedding(t as string, 8)) },
    };
  });
  server = s;
  return s;
}

const provider = async (authorization = TOKEN) =>
  createOllama({ host: (await fakeOllama()).url, headers: { authorization }, maxRetries: 0 });

runLanguageModelConformance("ollama (fixture server)", async () => (await provider())("qwen2.5:7b"), {
  reportsUsage: true,
  makeUnauthenticatedModel: async () => (await provider("Bearer wrong"))("qwen2.5:7b"),
});

runEmbedderConformance(
  "ollama (fixture server)",
  async () => (await provider()).embedding("nomic-embed-text", { dimensions: 8, maxBatch: 3 }),
  {
    countRequests: () => server?.requests.length ?? 0,
    cleanup: async () => {
      await server?.close();
      server = undefined;
    },
  },
);

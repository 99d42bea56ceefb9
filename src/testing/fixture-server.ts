/**
 * A local HTTP server that replays queued responses and records requests — the Vercel AI SDK's
 * test pattern: real clients (openai, ollama, fetch) talk real HTTP to 127.0.0.1, so request
 * shapes, SSE/NDJSON parsing, status handling and retries are all exercised without a network.
 *
 * @example
 * const server = await startFixtureServer();
 * server.enqueue({ match: { method: "POST", path: "/v1/chat/completions" }, body: readFixture("openai/chat-completion.json") });
 * const model = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-test" })("gpt-4o-mini");
 * await model.doGenerate([{ role: "user", content: "Hi" }]);
 * expect(server.requests[0]?.body).toMatchObject({ model: "gpt-4o-mini" });
 * await server.close();
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One response the server sends: JSON, SSE or NDJSON, optionally delayed or cut off. */
export interface FixtureResponse {
  /** Which request this answers; omitted fields match anything. Queue order decides among matches. */
  match?: { method?: string; path?: string | RegExp };
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (objects are serialised; strings sent as is). */
  body?: unknown;
  /** Server-sent events: each item becomes `data: <item>\n\n` (objects serialised). Add "[DONE]" yourself. */
  sse?: unknown[];
  /** Newline-delimited JSON (Ollama streaming): one object per line. */
  ndjson?: unknown[];
  /** Wait before answering (timeouts). */
  delayMs?: number;
  /** Close the socket without answering (connection reset). */
  destroy?: boolean;
}

/** A request the server received, for assertions on its shape. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the raw text (undefined when empty). */
  body: unknown;
}

/** A running fixture server on 127.0.0.1: queue or route responses, read recorded requests. */
export interface FixtureServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Queue responses; each is used once. */
  enqueue(...responses: FixtureResponse[]): void;
  /**
   * Answer every matching request that no queued response claims, computing the response from
   * the request — a fake server for suites that make many requests (the conformance suites).
   */
  route(match: FixtureResponse["match"], handler: (request: RecordedRequest) => FixtureResponse): void;
  /** The parsed body of request `index`; throws when there is no such request. */
  body<T = Record<string, unknown>>(index: number): T;
  /** Responses still queued (a test can assert all were consumed). */
  pending(): number;
  close(): Promise<void>;
}

function matches(response: FixtureResponse, method: string, path: string): boolean {
  const m = response.match;
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === "string" ? m.path === path : m.path.test(path);
}

function serialise(item: unknown): string {
  return typeof item === "string" ? item : JSON.stringify(item);
}

async function answer(res: ServerResponse, fixture: FixtureResponse): Promise<void> {
  const status = fixture.status ?? 200;
  if (fixture.sse) {
    res.writeHead(status, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      ...fixture.headers,
    });
    for (const item of fixture.sse) res.write(`data: ${serialise(item)}\n\n`);
    res.end();
    return;
  }
  if (fixture.ndjson) {
    res.writeHead(status, { "content-type": "application/x-ndjson", ...fixture.headers });
    for (const item of fixture.ndjson) res.write(`${serialise(item)}\n`);
    res.end();
    return;
  }
  const text = fixture.body === undefined ? "" : serialise(fixture.body);
  const type = typeof fixture.body === "string" ? "text/plain" : "application/json";
  res.writeHead(status, { "content-type": type, ...fixture.headers });
  res.end(text);
}

/** Start a fixture server on 127.0.0.1 (a free port). Close it in `afterEach`/`afterAll`. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const queue: FixtureResponse[] = [];
  const routes: Array<{ match: FixtureResponse["match"]; handler: (r: RecordedRequest) => FixtureResponse }> =
    [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw === "" ? undefined : raw;
      if (raw && /json/.test(req.headers["content-type"] ?? "")) {
        try {
          body = JSON.parse(raw);
        } catch {
          // keep the raw text: a test may be checking a malformed body
        }
      }
      const method = (req.method ?? "GET").toUpperCase();
      const recorded: RecordedRequest = {
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      const index = queue.findIndex((r) => matches(r, method, url.pathname));
      const route = routes.find((r) => matches(r, method, url.pathname));
      const fixture = index >= 0 ? queue.splice(index, 1)[0] : route?.handler(recorded);
      if (!fixture) {
        // 400 (not 404/5xx): never retried, never mistaken for "model not found".
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: { message: `fixture server: no response queued for ${method} ${url.pathname}` },
          }),
        );
        return;
      }
      if (fixture.destroy) {
        req.socket.destroy();
        return;
      }
      const run = () => void answer(res, fixture);
      if (fixture.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) run();
        }, fixture.delayMs);
        timers.add(timer);
      } else run();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    route: (match, handler) => routes.push({ match, handler }),
    body: <T>(index: number) => {
      const request = requests[index];
      if (!request) throw new Error(`fixture server: no request #${index} (saw ${requests.length})`);
      return request.body as T;
    },
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Read a recorded JSON fixture from `src/testing/fixtures/` (`openai/…`, `ollama/…`, `rerank/…`),
 * a fresh copy each time.
 */
export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

/**
 * `memos chat`: without an LLM it exits 2 saying how to configure one; with one (an
 * OpenAI-compatible fixture server, so the real client, SSE streaming and env configuration all
 * run) a scripted stdin session answers, `/memories` lists the ids the answer was given and
 * `/clear` forgets the session.
 */
import { join } from "node:path";
import { Readable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../mos/test-helpers.js";
import { type FixtureServer, startFixtureServer } from "../testing/fixture-server.js";
import type { ChatIO } from "./commands/chat.js";
import { runCli } from "./main.js";
import { json, memos } from "./test-helpers.js";

const t = tempDir("memos-cli-chat-");
const home = join(t.dir, "home");
const saved = {
  MEMOS_LLM: process.env.MEMOS_LLM,
  OPENAI_BASE_URL: process.env.OPENAI_BASE_URL,
  OPENAI_API_KEY: process.env.OPENAI_API_KEY,
};
let server: FixtureServer;
let pixel = "";

/** Run `memos chat` in-process with `lines` as its stdin. */
async function chat(
  lines: string[],
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: ChatIO = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    interactive: false,
    stdin: Readable.from(lines.map((l) => `${l}\n`)),
  };
  const code = await runCli(["chat", "--dir", home, ...argv], io);
  return { code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) };
}

/** An OpenAI streaming answer, one chunk per word. */
function sseAnswer(text: string): unknown[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: "chatcmpl-test",
    object: "chat.completion.chunk",
    created: 1741570470,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
  });
  return [
    chunk({ role: "assistant", content: "" }),
    ...text.split(/(?<= )/).map((w) => chunk({ content: w })),
    chunk({}, "stop"),
    {
      id: "chatcmpl-test",
      object: "chat.completion.chunk",
      created: 1741570470,
      model: "gpt-4o-mini",
      choices: [],
      usage: { prompt_tokens: 50, completion_tokens: 8, total_tokens: 58 },
    },
    "[DONE]",
  ];
}

const CHAT = { method: "POST", path: "/v1/chat/completions" };

beforeAll(async () => {
  expect((await memos("init", "--dir", home, "--user", "maya")).code).toBe(0);
  pixel = json<{ added: { id: string }[] }>(
    await memos("add", "--dir", home, "Maya's cat is called Pixel", "--json"),
  ).added[0]?.id as string;
  server = await startFixtureServer();
});
afterAll(async () => {
  await server?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  t.cleanup();
});

describe("memos chat", () => {
  it("without an LLM exits 2 with one line saying how to configure one", async () => {
    delete process.env.MEMOS_LLM;
    const r = await chat(["hello", "/exit"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^memos: memos chat needs an LLM, and none is configured \(hint: set MEMOS_LLM, e\.g\. MEMOS_LLM=openai:gpt-4o-mini/,
    );
  });

  it("answers a scripted session, streaming; /memories lists the ids used; /clear forgets", async () => {
    process.env.MEMOS_LLM = "openai:gpt-4o-mini";
    process.env.OPENAI_BASE_URL = `${server.url}/v1`;
    process.env.OPENAI_API_KEY = "sk-test";
    server.enqueue(
      { match: CHAT, sse: sseAnswer(`Your cat is called Pixel [1:${pixel}].`) },
      { match: CHAT, sse: sseAnswer("You asked about your cat.") },
    );
    const r = await chat(
      ["What is my cat called?", "/memories", "And what did I ask?", "/clear", "/exit", "never sent"],
      "--session",
      "s1",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout.split("\n");
    expect(out[0]).toBe(`Your cat is called Pixel [1:${pixel}].`);
    expect(out[1]).toMatch(
      new RegExp(
        `^\\* \\[1:${pixel}\\] maya/default \\(\\d{4}-\\d{2}-\\d{2}\\) .*Maya's cat is called Pixel`,
      ),
    );
    expect(out[2]).toBe("You asked about your cat.");
    expect(out[3]).toBe('Cleared session "s1" (4 messages).');
    // Two turns reached the model; "never sent" came after /exit.
    expect(server.requests).toHaveLength(2);
    const first = server.body<{ stream: boolean; messages: { role: string; content: string }[] }>(0);
    expect(first.stream).toBe(true);
    expect(first.messages[0]?.role).toBe("system");
    expect(first.messages[0]?.content).toContain(`[1:${pixel}]`);
    // The second turn carries the first as history.
    const second = server.body<{ messages: { role: string; content: string }[] }>(1);
    expect(second.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("--json prints one document per turn and per /memories; an invented citation is reported", async () => {
    server.enqueue({ match: CHAT, sse: sseAnswer("Pixel [1:not-a-real-memory-id].") });
    const r = await chat(["What is my cat called?", "/memories"], "--json", "--session", "s2");
    expect(r.code).toBe(0);
    const docs = r.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((d) => JSON.parse(d));
    expect(docs[0]).toMatchObject({
      answer: "Pixel [1:not-a-real-memory-id].",
      citations: [],
      dropped_citations: [expect.objectContaining({ memoryId: "not-a-real-memory-id" })],
      memories: [{ index: 1, memory_id: pixel, cube_id: "maya/default" }],
    });
    expect(docs[1].memories).toMatchObject([{ index: 1, memory_id: pixel, cited: false }]);
  });

  it("a turn the model fails is reported on one line; the session goes on and the exit code says so", async () => {
    server.enqueue(
      { match: CHAT, status: 400, body: { error: { message: "bad request" } } },
      { match: CHAT, sse: sseAnswer("Still here.") },
    );
    const r = await chat(["first", "second"], "--session", "s3");
    expect(r.stdout).toContain("Still here.");
    expect(r.stderr).toMatch(/^memos: .*\n/);
    expect(r.stderr).toMatch(/1 of 2 chat turns failed/);
    expect(r.code).toBe(1);
  });
});

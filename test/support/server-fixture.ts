import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LanguageModel } from "../../src/core/interfaces/language-model.js";
import { MOS } from "../../src/mos/mos.js";
import { type CreateAppOptions, createApp, type MemosApp } from "../../src/server/app.js";

/** What a test call gets back: status, parsed JSON (or the raw text), headers. */
export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON a route sent
  body: any;
  text: string;
  headers: Headers;
}

/**
 * A home in a temp directory (`dir/home`) with root "alice", users "bob" and "carol" (each with a default
 * cube), and the server app over it. `call` goes through `app.request()`, no socket.
 */
export async function serverFixture(
  options: {
    llm?: LanguageModel;
    limits?: CreateAppOptions["limits"];
    extensions?: CreateAppOptions["extensions"];
    /** The app's scheduler, made over the fixture's MOS (default: the app's own, local with a worker). */
    scheduler?: (mos: MOS) => NonNullable<CreateAppOptions["scheduler"]>;
  } = {},
) {
  // `dir` is scratch space for a test (dumps, archives); the home lives in `dir/home`, since a
  // dump may not go inside MEMOS_HOME.
  const dir = mkdtempSync(join(tmpdir(), "memos-server-"));
  const mos = await MOS.init({ home: join(dir, "home"), user: "alice", llm: options.llm });
  await mos.createUser("bob");
  await mos.createUser("carol");
  const { app, ctx } = createApp({
    mos,
    limits: options.limits,
    extensions: options.extensions,
    scheduler: options.scheduler?.(mos),
  });
  async function call(
    method: string,
    path: string,
    body?: unknown,
    key?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const res = await app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }
  return {
    dir,
    mos,
    app: app as MemosApp,
    ctx,
    call,
    async close() {
      await ctx.scheduler.close();
      await mos.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type ServerFixture = Awaited<ReturnType<typeof serverFixture>>;

/** Parse an SSE body into its JSON `data:` frames. */
// biome-ignore lint/suspicious/noExplicitAny: frames are asserted field by field
export function sseFrames(text: string): any[] {
  return text
    .split("\n\n")
    .map((block) =>
      block
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n"),
    )
    .filter((d) => d !== "")
    .map((d) => JSON.parse(d));
}

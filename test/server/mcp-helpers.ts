import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { expect } from "vitest";

/** What a tool call returned, typed loosely: its text, structured content and error flag. */
export interface CallOutcome {
  text: string;
  data: Record<string, unknown>;
  isError: boolean;
}

export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallOutcome> {
  const r = await client.callTool({ name, arguments: args });
  const content = r.content as { type: string; text?: string }[];
  return {
    text: content.map((c) => c.text ?? "").join("\n"),
    data: (r.structuredContent ?? {}) as Record<string, unknown>,
    isError: Boolean(r.isError),
  };
}

/** A successful call's structured content (fails the test with the tool's message otherwise). */
export async function ok(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const r = await call(client, name, args);
  expect(r.isError, `${name} failed: ${r.text}`).toBe(false);
  return r.data;
}

/** A failed call's typed error ({code, message, hint}). */
export async function failure(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ code: string; message: string; hint?: string }> {
  const r = await call(client, name, args);
  expect(r.isError, `${name} unexpectedly succeeded: ${r.text}`).toBe(true);
  const error = r.data.error as { code: string; message: string; hint?: string };
  expect(error.message).toBeTruthy();
  return error;
}

/** The memory texts of a search_memories result, per cube. */
export function searchTexts(data: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of data.text_mem as { cube_id: string; memories: { memory: string }[] }[])
    out[c.cube_id] = c.memories.map((m) => m.memory);
  return out;
}

import { existsSync, readFileSync } from "node:fs";
import type { MOS } from "../mos/mos.js";
import { parseChatSessions } from "../reader/index.js";

// From src/demo (tsx) or dist/src/demo (the built CLI): the package root is two or three levels up.
const candidates = ["../../examples/sample-chat.json", "../../../examples/sample-chat.json"].map(
  (p) => new URL(p, import.meta.url),
);

/** The sample conversation shipped with the package (written for this repo). */
export const SAMPLE_CHAT: URL = candidates.find((u) => existsSync(u)) ?? (candidates[0] as URL);

/**
 * Store the sample conversation in a user's default cube, one add per session (fast mode, no
 * LLM); returns how many memories were written. `npm start` seeds a new home with it.
 *
 * @example
 * await seedSampleChat(mos, "default"); // 12
 */
export async function seedSampleChat(
  mos: MOS,
  userId: string,
  path: URL | string = SAMPLE_CHAT,
): Promise<number> {
  const file = typeof path === "string" ? path : path.pathname;
  let written = 0;
  for (const session of parseChatSessions(readFileSync(file, "utf8"), file)) {
    const r = await mos.add({ userId, messages: session.messages, sessionId: session.session_id });
    written += r.memories.length;
  }
  return written;
}

import { readFileSync } from "node:fs";
import type { MOS } from "../mos/mos.js";
import { parseChatSessions } from "../reader/index.js";

/** The sample conversation shipped with the package (written for this repo). */
export const SAMPLE_CHAT = new URL("../../examples/sample-chat.json", import.meta.url);

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

/**
 * Where a preference goes into the user's history. PrefEval's explicit setting states the
 * preference in a user turn and puts unrelated conversations between it and the question; here
 * the preference becomes a user turn inside one distractor chat, at a seeded random exchange
 * boundary, so it sits among real turns (and, for `memos`, shares a window with them) rather
 * than alone in a session of its own.
 */

import { mulberry32 } from "../../src/core/math/random.js";
import type { ChatTurn, DistractorChat } from "./data.js";

export { mulberry32 };

/** The turn id of the preference: what recall@k looks for among the retrieved memories' turns. */
export const PREFERENCE_TURN_ID = "PREF";

/** Turn id of distractor chat `chat` (1-based), turn `turn` (1-based, as in the file). */
export function distractorTurnId(chat: number, turn: number): string {
  return `C${chat}:${turn}`;
}

/** A turn with its id, as every system ingests it. */
export interface SessionTurn extends ChatTurn {
  id: string;
}

/** One chat as a session of the user's history. */
export interface PrefSession {
  /** e.g. "chat-3"; "chat-pref" when there are no distractors. */
  id: string;
  /** ISO-8601; every turn of the session carries it (fixed, so memory texts are reproducible). */
  time: string;
  turns: SessionTurn[];
}

/** Which chat hosts the preference and how many of its turns come before it. */
export interface Placement {
  /** Index into the distractor chats; -1 when there are none (the preference is alone). */
  host: number;
  /** Turns of the host chat before the preference (0 = first). */
  position: number;
}

/** 32-bit FNV-1a hash of a string: turns "seed:topic:index" into an RNG seed. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Positions where a new user turn fits without splitting an exchange: the start, the end, and
 * after every non-user turn (so never between a user's message and the reply to it).
 */
export function insertionPoints(turns: readonly ChatTurn[]): number[] {
  const points: number[] = [];
  for (let i = 0; i <= turns.length; i++) {
    if (i === 0 || i === turns.length || turns[i - 1]?.role !== "user") points.push(i);
  }
  return points;
}

/**
 * The placement of one item's preference: host chat uniform over the chats, position uniform
 * over the host's insertion points. Deterministic in (seed, topic, index) alone, so an item
 * lands in the same place whatever else is run (--topics, --limit, other systems).
 */
export function placePreference(
  item: { topic: string; index: number },
  chats: readonly DistractorChat[],
  seed: number,
): Placement {
  if (chats.length === 0) return { host: -1, position: 0 };
  const rng = mulberry32(fnv1a(`${seed}:${item.topic}:${item.index}`));
  const host = Math.min(chats.length - 1, Math.floor(rng() * chats.length));
  const points = insertionPoints((chats[host] as DistractorChat).turns);
  const position = points[Math.min(points.length - 1, Math.floor(rng() * points.length))] as number;
  return { host, position };
}

const BASE_TIME = Date.UTC(2024, 0, 1, 10, 0, 0);
const DAY_MS = 86_400_000;

/** Chat `c` (0-based) happened on day c after 1 January 2024, 10:00 UTC: one chat a day. */
function chatTime(c: number): string {
  return new Date(BASE_TIME + c * DAY_MS).toISOString();
}

/** Distractor chat `c` (0-based) as a session, unchanged. */
export function chatSession(chats: readonly DistractorChat[], c: number): PrefSession {
  const chat = chats[c];
  if (!chat) throw new RangeError(`no distractor chat ${c}`);
  return {
    id: `chat-${c + 1}`,
    time: chatTime(c),
    turns: chat.turns.map((t, i) => ({ ...t, id: distractorTurnId(c + 1, i + 1) })),
  };
}

/** The host chat with the preference inserted as a user turn at the placement. */
export function hostSession(
  chats: readonly DistractorChat[],
  placement: Placement,
  preference: string,
): PrefSession {
  const pref: SessionTurn = { id: PREFERENCE_TURN_ID, role: "user", content: preference };
  if (placement.host < 0) return { id: "chat-pref", time: chatTime(0), turns: [pref] };
  const session = chatSession(chats, placement.host);
  session.turns.splice(placement.position, 0, pref);
  return session;
}

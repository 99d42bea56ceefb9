/**
 * Idempotent ingest: every chat message gets a stable identity, its *message key*, and the items
 * read from it record the keys of their turns in `metadata.message_keys`. Adding a message whose
 * key a cube already holds is a no-op reported as "already stored", so re-running an import after
 * a crash you are unsure about never doubles the memories.
 *
 * The key is a SHA-256 of the session and the message's `message_id` and content when it has an
 * id, else of the session, role, speaker, time (as given) and content: two different messages
 * that happen to share an id (LoCoMo's "D1:3" in two conversations) are never taken for one.
 *
 * The lookup goes through the store's filter DSL (store-independent): `session_id` (an indexed
 * column in the SQLite store) narrows it to the session's items before the keys are matched, and
 * it runs again inside the write transaction, so two processes adding the same file store it once.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { MemoryStore, StoredItem } from "../../core/interfaces/store.js";
import type { MemoryFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import type { ChatMessage } from "../../reader/chat-schema.js";
import { validateChatMessages } from "../../reader/chat-schema.js";

/** The metadata field holding the message keys of an item's turns. */
export const MESSAGE_KEYS_FIELD = "message_keys";

// Keys per query: each is one `contains` clause, and SQLite bounds expression depth.
const LOOKUP_CHUNK = 100;

/**
 * The stable identity of a message within a session.
 *
 * @example
 * messageKey({ role: "user", content: "I like tea", message_id: "m1" }, "s1"); // "5f1c…" (64 hex)
 */
export function messageKey(m: ChatMessage, sessionId: string | undefined): string {
  const parts =
    m.message_id !== undefined
      ? ["id", sessionId ?? "", m.message_id, m.content]
      : ["msg", sessionId ?? "", m.role, m.speaker ?? "", m.chat_time ?? "", m.content];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** Messages to read after the already stored ones are set aside, and how to tag what is read. */
export interface FreshMessages {
  /** The messages not stored yet, each with a message_id (its position in the input when it had none). */
  fresh: ChatMessage[];
  /** How many messages the store already holds (or were repeated within this input). */
  alreadyStored: number;
  /** message_id of a fresh message → its key. */
  keyOf: Map<string, string>;
}

function sessionFilter(sessionId: string | undefined, keys: string[]): MemoryFilter {
  return {
    and: [
      { session_id: sessionId ?? null },
      { or: keys.map((k) => ({ [MESSAGE_KEYS_FIELD]: { contains: k } })) },
    ],
  } as MemoryFilter;
}

/** Which of `keys` the store holds already (items of any status). */
export async function storedKeys(
  store: MemoryStore,
  sessionId: string | undefined,
  keys: string[],
): Promise<Set<string>> {
  const wanted = new Set(keys);
  const found = new Set<string>();
  // A session the store has never seen (most adds in a bulk import) needs no key matching: one
  // indexed count instead of a query with a clause per key.
  if (wanted.size === 0 || (await store.count({ session_id: sessionId ?? null } as MemoryFilter)) === 0)
    return found;
  const unique = [...wanted];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const chunk = unique.slice(i, i + LOOKUP_CHUNK);
    const items = await store.listItems({ filter: sessionFilter(sessionId, chunk) });
    for (const item of items) for (const k of keysOf(item)) if (wanted.has(k)) found.add(k);
  }
  return found;
}

/** The message keys an item records. */
export function keysOf(item: TextualMemoryItem): string[] {
  const keys = (item.metadata as Record<string, unknown>)[MESSAGE_KEYS_FIELD];
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
}

/**
 * Set aside the messages the store already holds (and repeats within `messages`). The fresh ones
 * keep their order; one without a message_id gets the positional id the reader would have given
 * it (`session:index` in the input), so provenance is the same as without this step.
 */
export async function freshMessages(
  store: MemoryStore,
  messages: ChatMessage[],
  sessionId: string | undefined,
): Promise<FreshMessages> {
  const msgs = validateChatMessages(messages);
  const session = sessionId ?? "chat";
  const keys = msgs.map((m) => messageKey(m, sessionId));
  const present = await storedKeys(store, sessionId, keys);
  const fresh: ChatMessage[] = [];
  const keyOf = new Map<string, string>();
  const seen = new Set<string>();
  let lastTime: string | undefined;
  msgs.forEach((m, i) => {
    const key = keys[i] as string;
    // An untimed message was said after the one before it, stored or not: keep that time.
    const time = m.chat_time ?? lastTime;
    lastTime = time;
    if (present.has(key) || seen.has(key)) return;
    seen.add(key);
    const withId = {
      ...m,
      message_id: m.message_id ?? `${session}:${i}`,
      ...(time !== undefined ? { chat_time: time } : {}),
    };
    fresh.push(withId);
    keyOf.set(withId.message_id as string, key);
  });
  return { fresh, alreadyStored: msgs.length - fresh.length, keyOf };
}

/** What an add of messages returns: the stored items, and how many messages were stored already. */
export type IngestResult = TextualMemoryItem[] & { alreadyStored: number };

/** The items of an add, with the count of messages it skipped as already stored. */
export function ingestResult(items: TextualMemoryItem[], alreadyStored: number): IngestResult {
  return Object.assign(items, { alreadyStored });
}

/** Record on each item the keys of the messages its turns came from (see `sources[].message_id`). */
export function tagItems(items: TextualMemoryItem[], keyOf: Map<string, string>): TextualMemoryItem[] {
  return items.map((item) => {
    const keys = [
      ...new Set(
        (item.metadata.sources ?? [])
          .map((s) => (typeof s === "object" && s !== null ? keyOf.get(String(s.message_id)) : undefined))
          .filter((k): k is string => k !== undefined),
      ),
    ];
    if (keys.length === 0) return item;
    return { ...item, metadata: { ...item.metadata, [MESSAGE_KEYS_FIELD]: keys } };
  });
}

/**
 * Commit items in ONE transaction, first dropping those whose messages another writer stored
 * since `freshMessages` looked (the check runs under the write lock). Returns what was written.
 */
export async function addUnlessStored(store: MemoryStore, stored: StoredItem[]): Promise<StoredItem[]> {
  const keyed = stored.filter((s) => keysOf(s.item).length > 0);
  if (keyed.length === 0) {
    await store.addItems(stored);
    return stored;
  }
  return store.transaction(async (tx) => {
    const bySession = new Map<string | undefined, string[]>();
    for (const s of keyed) {
      const session = s.item.metadata.session_id ?? undefined;
      bySession.set(session, [...(bySession.get(session) ?? []), ...keysOf(s.item)]);
    }
    const present = new Set<string>();
    for (const [session, keys] of bySession)
      for (const k of await storedKeys(tx, session, keys)) present.add(k);
    const keep = stored.filter((s) => !keysOf(s.item).some((k) => present.has(k)));
    if (keep.length > 0) await tx.addItems(keep);
    return keep;
  });
}

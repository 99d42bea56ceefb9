import type { MemoryStore } from "../core/interfaces/store.js";
import type { MemoryEdge, TextualMemoryItem } from "../core/schema/memory.js";
import { factTime } from "./node-ops.js";

/**
 * Whether a node takes part in a session's event chain: not a transient WorkingMemory copy
 * (the tree keeps those beside the long-term node) and not a topic summary.
 */
function isEvent(item: TextualMemoryItem): boolean {
  return item.metadata.memory_type !== "WorkingMemory" && item.metadata.type !== "topic";
}

/** Chronological: valid_at (else created_at), then created_at, then id, so ties are stable. */
function chronological(a: TextualMemoryItem, b: TextualMemoryItem): number {
  const ta = factTime(a);
  const tb = factTime(b);
  const x = Number.isNaN(ta) ? Number.POSITIVE_INFINITY : ta;
  const y = Number.isNaN(tb) ? Number.POSITIVE_INFINITY : tb;
  if (x !== y) return x - y;
  const ca = a.metadata.created_at ?? "";
  const cb = b.metadata.created_at ?? "";
  if (ca !== cb) return ca < cb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * FOLLOWS edges between consecutive events of each session the items belong to: every activated
 * event of that session (already stored or new) in chronological order, each → the next. Edges
 * already there are kept (never duplicated); a FOLLOWS edge between two of the session's events
 * that are no longer consecutive (an event was inserted between them) is removed. Items without
 * a session_id are not chained. One transaction per session. Returns how many edges were added.
 *
 * @example
 * const added = await linkFollows(store, newItems);
 */
export async function linkFollows(store: MemoryStore, items: TextualMemoryItem[]): Promise<number> {
  const sessions = [
    ...new Set(
      items
        .filter(isEvent)
        .map((i) => i.metadata.session_id)
        .filter((s): s is string => !!s),
    ),
  ];
  let added = 0;
  for (const session of sessions) {
    added += await store.transaction(async (tx) => {
      const events = (await tx.listItems({ filter: { session_id: session, status: "activated" } }))
        .filter(isEvent)
        .sort(chronological);
      if (events.length < 2) return 0;
      const members = new Set(events.map((e) => e.id));
      const wanted = new Map<string, MemoryEdge>();
      for (let i = 0; i + 1 < events.length; i++) {
        const source = (events[i] as TextualMemoryItem).id;
        const target = (events[i + 1] as TextualMemoryItem).id;
        wanted.set(`${source}>${target}`, { source, target, type: "FOLLOWS" });
      }
      const stale: MemoryEdge[] = [];
      for (const e of events) {
        for (const edge of await tx.getEdges(e.id, { direction: "out", types: ["FOLLOWS"] })) {
          const k = `${edge.source}>${edge.target}`;
          if (wanted.has(k)) wanted.delete(k);
          else if (members.has(edge.target)) stale.push(edge);
        }
      }
      if (stale.length > 0) await tx.removeEdges(stale);
      if (wanted.size > 0) await tx.addEdges([...wanted.values()]);
      return wanted.size;
    });
  }
  return added;
}

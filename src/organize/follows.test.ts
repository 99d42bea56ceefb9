import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MemoryStore } from "../core/interfaces/store.js";
import { linkFollows } from "./follows.js";
import { edgesOf, item, newStore, put, tableEmbedder } from "./test-helpers.js";

const T = (h: number) => new Date(Date.UTC(2024, 4, 8, h)).toISOString();

describe("linkFollows", () => {
  let store: MemoryStore;
  const embedder = tableEmbedder({});
  beforeEach(async () => {
    store = await newStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it("chains a session's events in valid_at order, each to the next, once", async () => {
    const items = [
      item("third", T(0), { session_id: "s", valid_at: T(3) }, "c"),
      item("first", T(0), { session_id: "s", valid_at: T(1) }, "a"),
      item("second (no valid_at: created_at)", T(2), { session_id: "s" }, "b"),
      item("other session", T(0), { session_id: "t", valid_at: T(2) }, "x"),
      item("working copy", T(0), { session_id: "s", valid_at: T(2), memory_type: "WorkingMemory" }, "w"),
      item("topic", T(0), { session_id: "s", valid_at: T(2), type: "topic" }, "p"),
      item("no session", T(0), { valid_at: T(2) }, "n"),
    ];
    await put(store, embedder, items);
    expect(await linkFollows(store, items)).toBe(2);
    expect(await edgesOf(store)).toEqual(["a>FOLLOWS>b", "b>FOLLOWS>c"]);
    expect(await linkFollows(store, items)).toBe(0);
    expect(await edgesOf(store)).toEqual(["a>FOLLOWS>b", "b>FOLLOWS>c"]);
  });

  it("links new events to the session's stored ones and re-links around an inserted event", async () => {
    const early = [
      item("one", T(0), { session_id: "s", valid_at: T(1) }, "e1"),
      item("three", T(0), { session_id: "s", valid_at: T(3) }, "e3"),
    ];
    await put(store, embedder, early);
    await linkFollows(store, early);
    expect(await edgesOf(store)).toEqual(["e1>FOLLOWS>e3"]);
    const later = [
      item("two", T(5), { session_id: "s", valid_at: T(2) }, "e2"),
      item("four", T(5), { session_id: "s", valid_at: T(4) }, "e4"),
    ];
    await put(store, embedder, later);
    expect(await linkFollows(store, later)).toBe(3);
    expect(await edgesOf(store)).toEqual(["e1>FOLLOWS>e2", "e2>FOLLOWS>e3", "e3>FOLLOWS>e4"]);
  });

  it("orders ties by created_at then id, and skips archived events", async () => {
    const items = [
      item("b", T(2), { session_id: "s", valid_at: T(1) }, "b"),
      item("a", T(1), { session_id: "s", valid_at: T(1) }, "z"),
      item("c", T(2), { session_id: "s", valid_at: T(1) }, "c"),
      item("gone", T(0), { session_id: "s", valid_at: T(0), status: "archived" }, "g"),
    ];
    await put(store, embedder, items);
    await linkFollows(store, items);
    expect(await edgesOf(store)).toEqual(["b>FOLLOWS>c", "z>FOLLOWS>b"]);
  });
});

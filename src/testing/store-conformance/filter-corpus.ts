/** The filter corpus and filter table the conformance suite checks every store against. */
import type { MemoryFilter, Scalar } from "../../core/schema/filter.js";
import type { TextualMemoryItemInput } from "../../core/schema/memory.js";

// ---------------------------------------------------------------- filter corpus

/** Metadata chosen to hit the corners: missing vs null, JSON types, arrays, unicode, dates. */
export const FILTER_CORPUS: TextualMemoryItemInput[] = [
  {
    id: "f01",
    memory: "common alpha apple",
    metadata: {
      user_id: "u1",
      session_id: "s1",
      tags: ["food", "fruit"],
      confidence: 90,
      created_at: "2025-01-01T00:00:00.000Z",
      key: "apple",
      priority: 1,
      flag: true,
      note: "hello world",
    },
  },
  {
    id: "f02",
    memory: "common beta banana",
    metadata: {
      user_id: "u2",
      session_id: "s1",
      tags: ["food"],
      confidence: 50,
      created_at: "2025-02-01",
      priority: 2.5,
      flag: false,
      note: "Hello",
    },
  },
  {
    id: "f03",
    memory: "common gamma",
    metadata: {
      user_id: null,
      status: "archived",
      tags: [],
      confidence: null,
      priority: "3",
      flag: "true",
      note: null,
    },
  },
  {
    id: "f04",
    memory: "common delta drink",
    metadata: { memory_type: "UserMemory", tags: ["drink", "fruit"], priority: 0, flag: 1, nested: { a: 1 } },
  },
  {
    id: "f05",
    memory: "common epsilon",
    metadata: {
      user_id: "",
      status: "resolving",
      tags: ["Food"],
      priority: -1,
      note: "",
      mixed: [1, "1", true, null],
    },
  },
  {
    id: "f06",
    memory: "common zeta",
    metadata: {
      user_id: "u1",
      session_id: "s2",
      memory_type: "WorkingMemory",
      created_at: "2024-12-31T23:59:59Z",
      priority: 10,
      note: "ünïcödé",
      mixed: ["a", 2],
    },
  },
  {
    id: "f07",
    memory: "common eta",
    metadata: {
      user_id: "u3",
      updated_at: "2025-03-01T00:00:00Z",
      entities: ["x"],
      flag: null,
      priority: 1000,
    },
  },
  {
    id: "f08",
    memory: "common theta",
    metadata: {
      user_id: "u2",
      status: "deleted",
      tags: ["food", "food"],
      note: "world hello",
      mixed: [],
      nested: [1, 2],
    },
  },
  {
    id: "f09",
    memory: "common iota",
    metadata: { user_id: "u10", priority: 2, flag: true, note: "1", created_at: "2025-01-01T00:00:00.000Z" },
  },
  {
    id: "f10",
    memory: "common kappa apple pie",
    metadata: { key: null, confidence: 0, priority: 1.0, mixed: [false, 0], note: "HELLO" },
  },
  {
    id: "f11",
    memory: "common lambda",
    metadata: {
      user_id: "U1",
      memory_type: "LongTermMemory",
      tags: ["fruit"],
      priority: 2.0000001,
      flag: false,
      nested: { b: [1] },
    },
  },
  {
    id: "f12",
    memory: "common mu 中文",
    metadata: {
      user_id: "u1",
      status: "activated",
      session_id: "",
      tags: ["中文", "food"],
      note: "中文 hello",
      created_at: "2025-06-01T12:00:00Z",
    },
  },
];

export const FILTER_TABLE: MemoryFilter[] = [
  {},
  { user_id: "u1" },
  { user_id: null },
  { user_id: "" },
  { user_id: { ne: "u1" } },
  { user_id: { ne: null } },
  { user_id: { ne: "" } },
  { user_id: { in: ["u1", "u2"] } },
  { user_id: { in: ["u1", null] } },
  { user_id: { in: [] } },
  { user_id: { in: [1, true] } },
  { user_id: { gt: "u1" } },
  { user_id: { gte: "u1", lt: "u3" } },
  { user_id: { contains: "u1" } },
  { user_id: { contains: "" } },
  { user_id: 1 },
  { session_id: { ne: "s1" } },
  { status: "activated" },
  { status: { in: ["archived", "resolving"] } },
  { status: { ne: "activated" } },
  { memory_type: "UserMemory", status: "activated" },
  { memory_type: { lte: "U" } },
  { priority: 1 },
  { priority: "3" },
  { priority: { gt: 1 } },
  { priority: { gte: 1 } },
  { priority: { lt: 2 } },
  { priority: { lte: 2 } },
  { priority: { gt: "2" } },
  { priority: { ne: 1 } },
  { priority: { in: [1, "3", 10] } },
  { priority: { gte: 0, lt: 3 } },
  { flag: true },
  { flag: false },
  { flag: 1 },
  { flag: "true" },
  { flag: null },
  { flag: { ne: true } },
  { flag: { in: [true, null] } },
  { flag: { gt: 0 } },
  { confidence: { gte: 50 } },
  { confidence: null },
  { confidence: 0 },
  { tags: { contains: "food" } },
  { tags: { contains: "Food" } },
  { tags: { contains: "foo" } },
  { tags: { contains: "中文" } },
  { tags: "food" },
  { tags: { ne: "food" } },
  { tags: { in: ["food"] } },
  { mixed: { contains: 1 } },
  { mixed: { contains: "1" } },
  { mixed: { contains: true } },
  { mixed: { contains: false } },
  { mixed: { contains: 0 } },
  { mixed: { contains: null } },
  { note: { contains: "hello" } },
  { note: { contains: "" } },
  { note: { gt: "H" } },
  { note: { lt: "hello" } },
  { note: "ünïcödé" },
  { note: { contains: 1 } },
  { nested: null },
  { nested: { ne: null } },
  { nested: { contains: 1 } },
  { entities: { contains: "x" } },
  { key: null },
  { key: "apple" },
  { memory: { contains: "apple" } },
  { memory: "common iota" },
  { id: { in: ["f01", "f03", "nope"] } },
  { id: { gte: "f05" } },
  { id: { ne: "f01" } },
  { created_at: { gte: "2025-01-01" } },
  { created_at: { lt: "2025-01-01T00:00:00.000Z" } },
  { created_at: null },
  { updated_at: { ne: null } },
  { or: [{ user_id: "u1" }, { tags: { contains: "drink" } }] },
  { and: [{ or: [{ status: "archived" }, { priority: { gt: 5 } }] }, { user_id: { ne: "u2" } }] },
  { or: [] },
  { and: [] },
  { or: [{ and: [] }] },
  { missing_field: null },
  { missing_field: { ne: null } },
  { missing_field: { gt: 0 } },
  { missing_field: { in: [null] } },
  { user_id: "u1", or: [{ session_id: "s2" }, { flag: true }] },
  { status: "activated", tags: { contains: "food" }, priority: { lt: 100 } },
  { status: { ne: "deleted" }, user_id: { in: ["u1", "u2", ""] }, memory_type: "LongTermMemory" },
];

/** Random filters over the corpus fields, for equivalence beyond the hand-written table. */
export function randomFilter(rand: () => number, depth = 0): MemoryFilter {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const fields = [
    "user_id",
    "session_id",
    "status",
    "memory_type",
    "priority",
    "flag",
    "note",
    "tags",
    "mixed",
    "nested",
    "confidence",
    "created_at",
    "id",
    "memory",
    "key",
    "missing_field",
  ] as const;
  const scalars: Scalar[] = [
    "u1",
    "u2",
    "",
    null,
    0,
    1,
    2.5,
    "3",
    true,
    false,
    "food",
    "hello",
    "activated",
    "2025-01-01",
    -1,
    "f05",
    "LongTermMemory",
    "common",
  ];
  const ordered: (string | number)[] = ["u1", "", "H", "hello", 0, 1, 2.5, -1, "2025-01-01", "f05", "U"];
  const ops = ["eq", "ne", "in", "gt", "gte", "lt", "lte", "contains"] as const;
  const filter: MemoryFilter = {};
  const nKeys = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < nKeys; i++) {
    const r = rand();
    if (depth < 2 && r < 0.2) {
      const children = Array.from({ length: Math.floor(rand() * 3) }, () => randomFilter(rand, depth + 1));
      filter[rand() < 0.5 ? "and" : "or"] = children;
      continue;
    }
    const field = pick(fields);
    const op = pick(ops);
    if (r < 0.35) {
      filter[field] = pick(scalars);
    } else if (op === "in") {
      filter[field] = { in: Array.from({ length: Math.floor(rand() * 4) }, () => pick(scalars)) };
    } else if (op === "gt" || op === "gte" || op === "lt" || op === "lte") {
      filter[field] = { [op]: pick(ordered) };
    } else {
      filter[field] = { [op]: pick(scalars) };
    }
  }
  return filter;
}

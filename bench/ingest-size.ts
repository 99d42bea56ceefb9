/**
 * `npx tsx bench/ingest-size.ts [--sizes 1,100,5120] [--json]`: add throughput for ONE chat
 * message of each size (KiB), through the whole add path of a file-backed SQLite cube with the
 * GloVe embedder (validate → read into windows → embed → one transaction). Reading cost must grow
 * linearly with input size (see src/reader/limits.ts): the table's KiB/s column should stay flat.
 * Prints a Markdown table (or JSON); times are wall clock on the machine it runs on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mulberry32 } from "../src/core/math/random.js";
import { GeneralTextMemory } from "../src/memory/textual/general.js";
import { createGloveEmbedder } from "../src/providers/glove/index.js";
import { FastMemReader } from "../src/reader/fast-reader.js";
import { createSqliteMemoryStore } from "../src/storage/sqlite/index.js";
import { fmt, markdownTable } from "./lib/report.js";

const WORDS = (
  "the a market yesterday apples friend trip Lisbon week garden river quiet morning coffee book music " +
  "train city house light blue green window Maya Tom visited cooked painted bought planned talked about " +
  "because after before while tomorrow last Friday concert recipe marathon"
).split(" ");

/** Varied prose (sentences, paragraphs) of `bytes` ASCII characters: repeated text would flatter caches. */
export function syntheticMessage(bytes: number, seed = 7): string {
  const rand = mulberry32(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const n = 5 + Math.floor(rand() * 14);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]);
    const sentence = `${words.join(" ")}.${rand() < 0.08 ? "\n\n" : " "}`;
    parts.push(sentence);
    length += sentence.length;
  }
  return parts.join("").slice(0, bytes);
}

export interface IngestRow {
  kib: number;
  read_s: number;
  add_s: number;
  memories: number;
  kib_per_s: number;
}

async function measure(kib: number, dir: string): Promise<IngestRow> {
  const message = (seed: number) => [
    { role: "user", content: syntheticMessage(kib * 1024, seed), chat_time: "2024-05-08T13:56:00Z" },
  ];
  // Reading alone (the part that was superlinear), then the whole add into a fresh store; two
  // different texts, so the second does not reuse the first's cached token counts.
  let started = performance.now();
  new FastMemReader().readChat(message(7), { now: "2024-05-08T14:00:00Z" });
  const read = (performance.now() - started) / 1000;
  const store = await createSqliteMemoryStore({ path: path.join(dir, `ingest-${kib}.db`) });
  const memory = new GeneralTextMemory({ store, embedder: await createGloveEmbedder() });
  try {
    started = performance.now();
    const added = await memory.addMessages(message(8), { userId: "bench", sessionId: "s1" });
    const add = (performance.now() - started) / 1000;
    return { kib, read_s: read, add_s: add, memories: added.length, kib_per_s: kib / add };
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const at = argv.indexOf("--sizes");
  const sizes = (at >= 0 ? (argv[at + 1] ?? "") : "1,100,5120").split(",").map(Number);
  const dir = mkdtempSync(path.join(tmpdir(), "memos-ingest-"));
  const rows: IngestRow[] = [];
  try {
    // A first small add loads the tokenizer and the GloVe cache, which no size should pay for.
    await measure(1, dir);
    for (const kib of sizes) rows.push(await measure(kib, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (argv.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(
    markdownTable(
      ["message KiB", "read s", "add s", "memories", "KiB/s"],
      rows.map((r) => [String(r.kib), fmt(r.read_s), fmt(r.add_s), String(r.memories), fmt(r.kib_per_s)]),
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));

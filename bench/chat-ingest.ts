/**
 * `npx tsx bench/chat-ingest.ts [--data locomo.json] [--memory general,tree] [--sessions N] [--json]`:
 * chat messages per second through the whole fast add path (`addMessages`: dedup check → fast
 * reader → GloVe embedding → one transaction) into a file-backed SQLite cube, one session per
 * call, as a chat app adds them. Conversations come from a LoCoMo file when `--data` names one
 * (each session added from both speakers' points of view, as the LoCoMo benchmark does), else
 * from a synthetic generator (`--sessions`, default 400, ~20 turns each).
 *
 * Prints messages/s by wall and by CPU time (the steadier figure on a shared machine), memories
 * written per message, and the final store's size.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MemoryStore } from "../src/core/interfaces/store.js";
import { mulberry32 } from "../src/core/math/random.js";
import { GeneralTextMemory } from "../src/memory/textual/general.js";
import { TreeTextMemory } from "../src/memory/textual/tree/index.js";
import { createGloveEmbedder } from "../src/providers/glove/index.js";
import type { ChatMessage } from "../src/reader/chat-schema.js";
import { createSqliteMemoryStore } from "../src/storage/sqlite/index.js";
import { fmt, markdownTable } from "./lib/report.js";
import { loadLocomo } from "./locomo/data.js";
import { sessionMessages } from "./locomo/memos-system.js";

/** One `addMessages` call: a session from one point of view. */
export interface ChatBatch {
  userId: string;
  sessionId: string;
  messages: ChatMessage[];
}

const NAMES = ["Maya", "Tom", "Caroline", "Melanie", "Joanna", "Nate", "Priya", "Omar"];
const WORDS = (
  "I we you went bought cooked painted visited planned talked about the a my our new old market " +
  "garden river trip Lisbon concert recipe marathon dog cat sister friend job interview yesterday " +
  "last week on Friday tomorrow really love hate think feel because after before with at for"
).split(" ");

/** `sessions` synthetic two-person sessions of 10–30 turns, 5–40 words each, dated a day apart. */
export function syntheticBatches(sessions: number, seed = 11): ChatBatch[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const out: ChatBatch[] = [];
  const start = Date.parse("2023-01-01T10:00:00Z");
  for (let s = 0; s < sessions; s++) {
    const [a, b] = [pick(NAMES), pick(NAMES.filter((n) => n !== NAMES[s % NAMES.length]))];
    const turns = 10 + Math.floor(rand() * 21);
    const time = new Date(start + s * 86_400_000).toISOString();
    const messages: ChatMessage[] = [];
    for (let t = 0; t < turns; t++) {
      const words = Array.from({ length: 5 + Math.floor(rand() * 36) }, () => pick(WORDS));
      messages.push({
        role: t % 2 === 0 ? "user" : "assistant",
        speaker: t % 2 === 0 ? a : b,
        content: `${words.join(" ")}.`,
        chat_time: time,
        message_id: `s${s}:${t}`,
      });
    }
    out.push({ userId: `u${s % 10}`, sessionId: `session-${s}`, messages });
  }
  return out;
}

async function locomoBatches(file: string): Promise<ChatBatch[]> {
  const out: ChatBatch[] = [];
  for (const conv of await loadLocomo(file)) {
    for (const session of conv.sessions) {
      for (const self of [conv.speakerA, conv.speakerB]) {
        const messages = sessionMessages(session, self);
        if (messages.length > 0)
          out.push({
            userId: `${conv.id}:${self}`,
            sessionId: `${conv.id}_${session.index}:${self}`,
            messages,
          });
      }
    }
  }
  return out;
}

export interface ChatIngestRow {
  memory: "general" | "tree";
  messages: number;
  memories: number;
  seconds: number;
  cpu_seconds: number;
  messages_per_s: number;
  messages_per_cpu_s: number;
  disk_mb: number;
}

/** Adds every batch into a fresh file-backed cube of the given kind; wall and CPU time of the adds alone. */
export async function measureChatIngest(
  memory: "general" | "tree",
  batches: readonly ChatBatch[],
  dir: string,
  storeOptions: { annThreshold?: number } = {},
): Promise<ChatIngestRow> {
  const file = path.join(dir, `${memory}-${Date.now()}.db`);
  const store: MemoryStore = await createSqliteMemoryStore({ ...storeOptions, path: file });
  const embedder = await createGloveEmbedder();
  const mem =
    memory === "tree" ? new TreeTextMemory({ store, embedder }) : new GeneralTextMemory({ store, embedder });
  try {
    // One small add first: loading the tokenizer and GloVe is a start-up cost, not a per-message one.
    await mem.addMessages([{ role: "user", content: "warm up", chat_time: "2020-01-01T00:00:00Z" }], {
      userId: "warm-up",
      sessionId: "warm-up",
    });
    let messages = 0;
    let memories = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of batches) {
      const added = await mem.addMessages(b.messages, { userId: b.userId, sessionId: b.sessionId });
      messages += b.messages.length;
      memories += added.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      memory,
      messages,
      memories,
      seconds,
      cpu_seconds: cpuSeconds,
      messages_per_s: messages / seconds,
      messages_per_cpu_s: messages / cpuSeconds,
      disk_mb: statSync(file).size / 2 ** 20,
    };
  } finally {
    if ("close" in mem && typeof mem.close === "function") await mem.close();
    await store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const data = flag("--data");
  const batches = data ? await locomoBatches(data) : syntheticBatches(Number(flag("--sessions") ?? 400));
  const kinds = (flag("--memory") ?? "general,tree").split(",") as ("general" | "tree")[];
  const dir = mkdtempSync(path.join(tmpdir(), "memos-chat-ingest-"));
  const rows: ChatIngestRow[] = [];
  try {
    for (const kind of kinds) rows.push(await measureChatIngest(kind, batches, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (argv.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`source: ${data ?? "synthetic"}; ${batches.length} addMessages calls`);
  console.log(
    markdownTable(
      ["memory", "messages", "memories", "s", "CPU s", "messages/s", "messages/CPU s", "disk MB"],
      rows.map((r) => [
        r.memory,
        String(r.messages),
        String(r.memories),
        fmt(r.seconds, 2),
        fmt(r.cpu_seconds, 2),
        fmt(r.messages_per_s, 0),
        fmt(r.messages_per_cpu_s, 0),
        fmt(r.disk_mb, 1),
      ]),
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));

/**
 * `parametric/index.json`: the registry of a cube's LoRA adapters (one record per adapter file in
 * `parametric/`), read fresh for every operation and replaced atomically, under a lock file, so a
 * server and a CLI working on one cube see each other's changes and never half a write.
 *
 * @module
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { StorageError } from "../../core/errors/storage-error.js";
import { writeFileAtomic } from "../textual/persist.js";

/** The folder of a cube (or a dump) that holds adapters and their index. */
export const PARAMETRIC_DIR = "parametric";
export const INDEX_FILE = "index.json";

/** An adapter name: also its file name in `parametric/`, so no path characters. */
export const ADAPTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One LoRA adapter of a cube. */
export const AdapterRecord = z.object({
  name: z.string().regex(ADAPTER_NAME),
  /** File name inside `parametric/`. */
  file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.gguf$/),
  /** sha256 (hex) of the file, checked before the file is used or imported. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  description: z.string().default(""),
  /** The base model the adapter was checked against when added. */
  base_model: z.object({
    fingerprint: z.string().min(1),
    architecture: z.string().min(1),
    name: z.string().nullable().default(null),
  }),
  /** The adapter's own header facts. */
  lora: z.object({
    alpha: z.number().nullable(),
    rank: z.number().int().positive(),
    targets: z.number().int(),
  }),
  /** Strength applied when active (llama.cpp's LoRA scale). */
  scale: z.number(),
  active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AdapterRecord = z.infer<typeof AdapterRecord>;

export const LoRAIndex = z.object({
  version: z.literal(1),
  adapters: z.array(AdapterRecord),
});
export type LoRAIndex = z.infer<typeof LoRAIndex>;

/** Read `<root>/parametric/index.json` (an empty index when there is none). */
export function readLoRAIndex(root: string): LoRAIndex {
  const path = join(root, PARAMETRIC_DIR, INDEX_FILE);
  if (!existsSync(path)) return { version: 1, adapters: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new StorageError({
      message: `${path} is not valid JSON`,
      hint: "restore it from a `memos dump` export",
      cause,
    });
  }
  const parsed = LoRAIndex.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StorageError({
      message: `${path}: ${issue?.path.join(".") || "(root)"} ${issue?.message ?? "invalid"}`,
      hint: "restore it from a `memos dump` export",
    });
  }
  return parsed.data;
}

export function writeLoRAIndex(root: string, index: LoRAIndex): void {
  mkdirSync(join(root, PARAMETRIC_DIR), { recursive: true });
  writeFileAtomic(join(root, PARAMETRIC_DIR, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
}

const LOCK_FILE = "index.lock";
/** A lock older than this is from a process that died holding it. */
const STALE_LOCK_MS = 120_000;
const LOCK_WAIT_MS = 10_000;

const inProcess = new Map<string, Promise<unknown>>();

/**
 * Run `body` holding the index lock of `root`: one writer at a time, within this process (a
 * promise chain) and across processes (an exclusive lock file).
 */
export function withIndexLock<T>(root: string, body: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(root) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => withLockFile(root, body));
  inProcess.set(root, run);
  void run
    .finally(() => {
      if (inProcess.get(root) === run) inProcess.delete(root);
    })
    .catch(() => undefined);
  return run;
}

async function withLockFile<T>(root: string, body: () => Promise<T>): Promise<T> {
  const dir = join(root, PARAMETRIC_DIR);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() > deadline) {
        throw new StorageError({
          message: `${lock} is held by another process`,
          hint: `retry; if no memos process is running, delete ${lock}`,
        });
      } else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}

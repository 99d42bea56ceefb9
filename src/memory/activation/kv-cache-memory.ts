import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { readDumpJson, writeFileAtomic } from "../textual/persist.js";
import { memoryPrefix } from "./memory-block.js";
import {
  ACTIVATION_DIR,
  ACTIVATION_INDEX,
  type ActivationEngine,
  KVCacheIndex,
  KVCacheItem,
  type PrefixState,
  STATE_EXTENSION,
} from "./types.js";

/** Options of {@link KVCacheMemory}. */
export interface KVCacheMemoryOptions {
  /** The cube directory; states live in its `activation/` folder. */
  cubeDir: string;
  /** The model that computes states (llama.cpp). Needed to extract, not to list or drop. */
  engine?: ActivationEngine;
  /** How many memories the chat pins in the cached block (`act_mem.config.max_memories`). */
  maxMemories?: number;
}

/** sha256 of a prefix text: what decides whether a saved state still matches its memories. */
export function prefixHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Activation memory: KV caches of memory text, computed once by a local model and restored at
 * chat time instead of evaluating the text again (MemOS's `KVCacheMemory`, on llama.cpp sequence
 * states). Each cache is a state file in the cube's `activation/` folder plus an entry in its
 * `index.json` (source memory ids, token count, model fingerprint, created_at). A state computed
 * by another model is refused, never loaded.
 *
 * @example
 * const kv = new KVCacheMemory({ cubeDir: cube.dir, engine: llm.activation() });
 * const item = await kv.fromTextualMemory(await cube.text.getAll({ limit: 20 }));
 * const answer = await generateText(await kv.modelFor(item), messages); // evaluates only the new tokens
 */
export class KVCacheMemory {
  readonly dir: string;
  readonly cubeDir: string;
  readonly maxMemories: number | undefined;
  private readonly engine: ActivationEngine | undefined;

  constructor(options: KVCacheMemoryOptions) {
    this.cubeDir = options.cubeDir;
    this.dir = join(options.cubeDir, ACTIVATION_DIR);
    this.engine = options.engine;
    this.maxMemories = options.maxMemories;
  }

  /** The same memory on another model (e.g. the chat model rather than `extractor_llm`). */
  withEngine(engine: ActivationEngine): KVCacheMemory {
    return new KVCacheMemory({ cubeDir: this.cubeDir, engine, maxMemories: this.maxMemories });
  }

  /** Whether a model to compute states is attached. */
  get hasEngine(): boolean {
    return this.engine !== undefined;
  }

  /**
   * Evaluate `text` as the opening of a chat's system prompt and save its state. The item is not
   * in the index until {@link add}ed (MemOS's extract/add split).
   */
  async extract(
    text: string,
    options: { sourceMemoryIds?: string[]; setKey?: string } = {},
  ): Promise<KVCacheItem> {
    const engine = this.requireEngine();
    const id = randomUUID();
    const file = this.stateFile(id);
    const fingerprint = await engine.fingerprint();
    const saved = await engine.saveSystemPrefixState(text, file);
    return {
      id,
      source_memory_ids: options.sourceMemoryIds ?? [],
      source_hash: prefixHash(text),
      source_text: text,
      token_count: saved.tokenCount,
      bytes: saved.bytes,
      model_fingerprint: fingerprint,
      ...(options.setKey ? { set_key: options.setKey } : {}),
      created_at: new Date().toISOString(),
    };
  }

  /** Index extracted caches (an existing id is replaced). Their state files must exist. */
  add(items: KVCacheItem[]): void {
    const byId = new Map(this.getAll().map((i) => [i.id, i]));
    for (const raw of items) {
      const item = KVCacheItem.parse(raw);
      if (!existsSync(this.stateFile(item.id))) {
        throw new InvalidInputError({
          message: `no state file for KV cache ${item.id}`,
          hint: "add what extract() returned, in this cube",
        });
      }
      byId.set(item.id, item);
    }
    this.writeIndex([...byId.values()]);
  }

  get(id: string): KVCacheItem | undefined {
    return this.getAll().find((i) => i.id === id);
  }

  getAll(): KVCacheItem[] {
    return readIndex(this.dir);
  }

  /**
   * One cache for several: the cache itself for one id; for several, their texts evaluated
   * together as one prefix (llama.cpp states cannot be concatenated: positions differ), built once
   * and kept under the set of ids, so the same set is served from disk next time.
   */
  async getCache(ids: string[]): Promise<KVCacheItem | undefined> {
    const parts = ids.map((id) => this.get(id)).filter((i): i is KVCacheItem => i !== undefined);
    if (parts.length <= 1) return parts[0];
    const setKey = [...new Set(parts.map((p) => p.id))].sort().join(",");
    const kept = this.getAll().find((i) => i.set_key === setKey);
    if (kept && kept.model_fingerprint === (await this.requireEngine().fingerprint())) return kept;
    if (kept) this.delete([kept.id]);
    const item = await this.extract(parts.map((p) => p.source_text).join("\n"), {
      sourceMemoryIds: parts.flatMap((p) => p.source_memory_ids),
      setKey,
    });
    this.add([item]);
    return item;
  }

  /** Remove caches and their state files; returns how many there were. */
  delete(ids: string[]): number {
    const drop = new Set(ids);
    const items = this.getAll();
    const kept = items.filter((i) => !drop.has(i.id));
    this.writeIndex(kept);
    for (const i of items) if (drop.has(i.id)) rmSync(this.stateFile(i.id), { force: true });
    return items.length - kept.length;
  }

  /** Remove every cache; a damaged index goes with its folder (its states cannot be trusted). */
  deleteAll(): number {
    let items: KVCacheItem[];
    try {
      items = this.getAll();
    } catch {
      rmSync(this.dir, { recursive: true, force: true });
      return 0;
    }
    return this.delete(items.map((i) => i.id));
  }

  /**
   * Build (or find) the cache of a memory block: `items` numbered from 1 exactly as the chat
   * prompt pins them ({@link memoryPrefix}). A cache of the same text on the same model is reused;
   * otherwise it is computed and indexed.
   */
  async fromTextualMemory(
    items: TextualMemoryItem[],
    options: { base?: string; force?: boolean } = {},
  ): Promise<KVCacheItem> {
    const text = memoryPrefix({
      base: options.base,
      memories: items.map((item, i) => ({ index: i + 1, memoryId: item.id, item })),
    });
    const found = options.force ? undefined : await this.findFresh(text);
    if (found) return found;
    const item = await this.extract(text, { sourceMemoryIds: items.map((i) => i.id) });
    this.add([item]);
    return item;
  }

  /** The indexed cache of exactly `text` on the attached model, if there is one. */
  async findFresh(text: string): Promise<KVCacheItem | undefined> {
    const hash = prefixHash(text);
    const fingerprint = await this.requireEngine().fingerprint();
    return this.getAll().find(
      (i) => i.source_hash === hash && i.model_fingerprint === fingerprint && !i.set_key,
    );
  }

  /**
   * What a model needs to resume from `item`, after checking the state was computed by the
   * attached model: a mismatch is a ConfigError and the file is never read.
   */
  async prefixState(item: KVCacheItem): Promise<PrefixState> {
    const current = await this.requireEngine().fingerprint();
    if (item.model_fingerprint !== current) {
      throw new ConfigError({
        message: `KV cache ${item.id} was computed by another model (fingerprint ${item.model_fingerprint.slice(0, 12)}…, this model ${current.slice(0, 12)}…); it is not loaded`,
        hint: "rebuild it for this model with `memos kv build` (or drop it with `memos kv drop`)",
      });
    }
    return {
      file: this.stateFile(item.id),
      model_fingerprint: item.model_fingerprint,
      token_count: item.token_count,
    };
  }

  /** The attached model answering from `item`'s state: only tokens after the prefix are evaluated. */
  async modelFor(item: KVCacheItem) {
    return this.requireEngine().withPrefixState(await this.prefixState(item));
  }

  /** Copy the index and the state files to `dir/activation/` (a cube dump). */
  dump(dir: string): number {
    const items = this.getAll();
    if (items.length === 0) return 0;
    const out = join(dir, ACTIVATION_DIR);
    mkdirSync(out, { recursive: true });
    for (const i of items) copyFileSync(this.stateFile(i.id), join(out, `${i.id}${STATE_EXTENSION}`));
    writeFileAtomic(join(out, ACTIVATION_INDEX), JSON.stringify({ version: 1, items }, null, 2));
    return items.length;
  }

  /**
   * Merge the caches of a dumped cube (`dir/activation/`) into this one; a missing folder loads
   * nothing. States of another model are kept on disk but refused when used.
   */
  load(dir: string): number {
    const from = join(dir, ACTIVATION_DIR);
    const items = readIndex(from);
    for (const i of items) {
      const file = join(from, `${i.id}${STATE_EXTENSION}`);
      if (!existsSync(file)) {
        throw new NotFoundError({
          message: `${from}: state file of KV cache ${i.id} is missing`,
          hint: "dump the cube again, or drop the entry from its index.json",
        });
      }
    }
    mkdirSync(this.dir, { recursive: true });
    for (const i of items) copyFileSync(join(from, `${i.id}${STATE_EXTENSION}`), this.stateFile(i.id));
    this.add(items);
    return items.length;
  }

  stateFile(id: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new InvalidInputError({ message: `invalid KV cache id "${id}"` });
    return join(this.dir, `${id}${STATE_EXTENSION}`);
  }

  private writeIndex(items: KVCacheItem[]): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(join(this.dir, ACTIVATION_INDEX), JSON.stringify({ version: 1, items }, null, 2));
  }

  private requireEngine(): ActivationEngine {
    if (this.engine) return this.engine;
    throw new ConfigError({
      message: "activation memory needs a local llama.cpp model to compute KV caches",
      hint: "set act_mem.config.extractor_llm to a llama-cpp backend, or MEMOS_LLM=llama-cpp:/path/model.gguf",
    });
  }
}

/** The entries of an `activation/index.json` (none when the file is absent). */
function readIndex(dir: string): KVCacheItem[] {
  if (!existsSync(join(dir, ACTIVATION_INDEX))) return [];
  const { path, raw } = readDumpJson(dir, ACTIVATION_INDEX);
  const parsed = KVCacheIndex.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `${path}: ${issue?.path.join(".")} ${issue?.message}`,
      hint: "drop the caches with `memos kv drop` (the next chat rebuilds them)",
    });
  }
  return parsed.data.items;
}

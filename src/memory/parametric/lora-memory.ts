import { copyFileSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { nowIso } from "../../core/time.js";
import { checkAdapterFitsBase, inspectLoRAAdapter } from "./adapter-check.js";
import { LoRAAdapterError, LoRATrainingUnavailableError } from "./errors.js";
import { sha256File, verifyChecksum } from "./files.js";
import { modelFingerprint, readGgufHeader } from "./gguf-info.js";
import {
  ADAPTER_NAME,
  type AdapterRecord,
  type LoRAIndex,
  PARAMETRIC_DIR,
  readLoRAIndex,
  withIndexLock,
  writeLoRAIndex,
} from "./index-file.js";

/** Options of {@link LoRAMemory}. */
export interface LoRAMemoryOptions {
  /** The cube directory; adapters live in its `parametric/`. */
  dir: string;
  /** The base model GGUF used when `add` names none (the cube's `para_mem.config.extractor_llm`). */
  baseModel?: string;
}

/** Options of {@link LoRAMemory.add}. */
export interface AddAdapterOptions {
  /** Name in the cube (default: the file name without `.gguf`). Letters, digits, `.`, `_`, `-`. */
  name?: string;
  description?: string;
  /** Strength when active (default 1). */
  scale?: number;
  /** The base model GGUF the adapter must fit (default: the memory's `baseModel`). */
  baseModel?: string;
  /** Activate it at once. Default false. */
  activate?: boolean;
}

/** An active adapter, as a llama.cpp context takes it. */
export interface ActiveAdapter {
  name: string;
  /** Absolute path of the adapter file in the cube. */
  path: string;
  scale: number;
  sha256: string;
  baseFingerprint: string;
}

/** What a parametric memory can do; `train` stays false until a training stack exists. */
export interface ParametricCapabilities {
  train: boolean;
}

/** The largest |scale| accepted; far beyond it a random-looking model turns to NaNs. */
export const MAX_LORA_SCALE = 10;
const MAX_DESCRIPTION = 2000;

/**
 * Parametric memory: a registry of GGUF LoRA adapters in a cube (`parametric/` + `index.json`:
 * name, base-model fingerprint, scale, description, sha256, created_at). An adapter is checked
 * against its base model and copied in with its checksum; active adapters (each with a scale) are
 * what a llama.cpp chat model of that base runs with. Training adapters from memories is not
 * available (`capabilities.train` is false; `train` throws a typed error saying how to make one).
 *
 * @example
 * const para = new LoRAMemory({ dir: "./cube", baseModel: "./models/base.gguf" });
 * await para.add("./legal-style.gguf", { name: "legal", description: "formal register" });
 * await para.activate("legal", { scale: 0.8 });
 * para.active(); // [{ name: "legal", path: "/…/cube/parametric/legal.gguf", scale: 0.8, … }]
 */
export class LoRAMemory {
  readonly backend = "lora" as const;
  readonly capabilities: ParametricCapabilities = { train: false };
  readonly dir: string;
  readonly baseModel: string | undefined;

  constructor(options: LoRAMemoryOptions) {
    this.dir = resolve(options.dir);
    this.baseModel = options.baseModel;
  }

  /** Every adapter, in the order added. */
  list(): AdapterRecord[] {
    return readLoRAIndex(this.dir).adapters;
  }

  /** One adapter by name (NotFoundError listing the names there are). */
  get(name: string): AdapterRecord {
    return findAdapter(readLoRAIndex(this.dir), name);
  }

  /** Absolute path of an adapter's file in the cube. */
  pathOf(record: Pick<AdapterRecord, "file">): string {
    return join(this.dir, PARAMETRIC_DIR, record.file);
  }

  /**
   * Check `file` is a LoRA adapter that fits the base model, then copy it in with its sha256.
   * A name already used is refused (remove the old one first).
   */
  async add(file: string, options: AddAdapterOptions = {}): Promise<AdapterRecord> {
    const source = resolve(file);
    const name = checkAdapterName(options.name ?? basename(source).replace(/\.gguf$/i, ""));
    const scale = checkScale(options.scale ?? 1);
    const description = checkDescription(options.description ?? "");
    const baseModel = options.baseModel ?? this.baseModel;
    if (!baseModel) {
      throw new InvalidInputError({
        message: `adding the LoRA adapter "${name}" needs its base model, and none is named`,
        hint: "pass the base model's .gguf (--base / baseModel), or set para_mem.config.extractor_llm to a llama-cpp model",
      });
    }
    const adapterHeader = await readGgufHeader(source);
    const info = inspectLoRAAdapter(adapterHeader);
    const baseHeader = await readGgufHeader(baseModel);
    checkAdapterFitsBase(adapterHeader, baseHeader);
    const fingerprint = modelFingerprint(baseModel);
    return withIndexLock(this.dir, async () => {
      const index = readLoRAIndex(this.dir);
      if (index.adapters.some((a) => a.name === name)) {
        throw new InvalidInputError({
          message: `the cube already has a LoRA adapter named "${name}"`,
          hint: "pick another --name, or remove the old one first",
        });
      }
      const fileName = `${name}.gguf`;
      const target = join(this.dir, PARAMETRIC_DIR, fileName);
      const tmp = `${target}.${process.pid}.tmp`;
      try {
        copyFileSync(source, tmp);
        // The checksum is of the copy: what the cube holds is what was checked.
        const sha256 = await sha256File(tmp);
        renameSync(tmp, target);
        const at = nowIso();
        const record: AdapterRecord = {
          name,
          file: fileName,
          sha256,
          bytes: statSync(target).size,
          description,
          base_model: { fingerprint, architecture: info.architecture, name: baseHeader.name ?? null },
          lora: { alpha: info.alpha ?? null, rank: info.rank, targets: info.targets.length },
          scale,
          active: Boolean(options.activate),
          created_at: at,
          updated_at: at,
        };
        writeLoRAIndex(this.dir, { ...index, adapters: [...index.adapters, record] });
        return record;
      } catch (error) {
        rmSync(tmp, { force: true });
        if (!readLoRAIndex(this.dir).adapters.some((a) => a.name === name)) rmSync(target, { force: true });
        throw error;
      }
    });
  }

  /** Remove an adapter and its file. */
  async remove(name: string): Promise<AdapterRecord> {
    return withIndexLock(this.dir, async () => {
      const index = readLoRAIndex(this.dir);
      const record = findAdapter(index, name);
      writeLoRAIndex(this.dir, { ...index, adapters: index.adapters.filter((a) => a.name !== record.name) });
      rmSync(this.pathOf(record), { force: true });
      return record;
    });
  }

  /**
   * Make an adapter active, with `scale` (default: the one it has). Its file is checked against
   * its sha256 first; a changed file is refused.
   */
  async activate(name: string, options: { scale?: number } = {}): Promise<AdapterRecord> {
    const scale = options.scale === undefined ? undefined : checkScale(options.scale);
    return this.update(name, async (record) => {
      await verifyChecksum(this.pathOf(record), record.sha256, `LoRA adapter "${record.name}"`);
      return { ...record, active: true, scale: scale ?? record.scale };
    });
  }

  /** Make an adapter inactive (it stays in the cube). */
  async deactivate(name: string): Promise<AdapterRecord> {
    return this.update(name, async (record) => ({ ...record, active: false }));
  }

  /** The active adapters, for a llama.cpp context. */
  active(): ActiveAdapter[] {
    return this.list()
      .filter((a) => a.active)
      .map((a) => ({
        name: a.name,
        path: this.pathOf(a),
        scale: a.scale,
        sha256: a.sha256,
        baseFingerprint: a.base_model.fingerprint,
      }));
  }

  /** Check every adapter file against its sha256 (StorageError on the first mismatch); returns how many. */
  async verify(): Promise<number> {
    const adapters = this.list();
    for (const a of adapters) await verifyChecksum(this.pathOf(a), a.sha256, `LoRA adapter "${a.name}"`);
    return adapters.length;
  }

  /** Write the adapters and their index to `<dir>/parametric/` (each file checked first); returns how many. */
  async dump(dir: string): Promise<number> {
    const index = readLoRAIndex(this.dir);
    if (index.adapters.length === 0) return 0;
    await this.verify();
    for (const a of index.adapters) copyIntoPlace(this.pathOf(a), join(dir, PARAMETRIC_DIR, a.file));
    writeLoRAIndex(dir, index);
    return index.adapters.length;
  }

  /**
   * Import the adapters of a dumped cube directory (`<dir>/parametric/`), replacing ones of the
   * same name. Every file is checked against its recorded sha256 before anything is copied: a
   * mismatch refuses the whole load. Returns how many were imported.
   */
  async load(dir: string): Promise<number> {
    const source = readLoRAIndex(dir);
    if (source.adapters.length === 0) return 0;
    for (const a of source.adapters) {
      await verifyChecksum(join(dir, PARAMETRIC_DIR, a.file), a.sha256, `LoRA adapter "${a.name}" in ${dir}`);
    }
    return withIndexLock(this.dir, async () => {
      const index = readLoRAIndex(this.dir);
      // Stage every copy before replacing anything, so a failed copy leaves the cube as it was.
      const staged = source.adapters.map((a) => ({
        tmp: stageCopy(join(dir, PARAMETRIC_DIR, a.file), this.pathOf(a)),
        to: this.pathOf(a),
      }));
      for (const s of staged) renameSync(s.tmp, s.to);
      const names = new Set(source.adapters.map((a) => a.name));
      writeLoRAIndex(this.dir, {
        ...index,
        adapters: [...index.adapters.filter((a) => !names.has(a.name)), ...source.adapters],
      });
      return source.adapters.length;
    });
  }

  /**
   * Train an adapter from memories: not available (no training stack in MemOS-TS). Always throws
   * {@link LoRATrainingUnavailableError}; check `capabilities.train` first.
   */
  async train(
    _memories: readonly string[],
    _options: { name: string } = { name: "" },
  ): Promise<AdapterRecord> {
    throw new LoRATrainingUnavailableError();
  }

  /** Nothing to release: contexts using the adapters belong to the chat model. */
  async close(): Promise<void> {}

  private update(
    name: string,
    change: (record: AdapterRecord) => Promise<AdapterRecord>,
  ): Promise<AdapterRecord> {
    return withIndexLock(this.dir, async () => {
      const index = readLoRAIndex(this.dir);
      const record = findAdapter(index, name);
      const next = { ...(await change(record)), updated_at: nowIso() };
      writeLoRAIndex(this.dir, {
        ...index,
        adapters: index.adapters.map((a) => (a.name === record.name ? next : a)),
      });
      return next;
    });
  }
}

/**
 * Refuse an adapter recorded for another base model than `fingerprint` (the chat model's).
 *
 * @example
 * requireSameBase(para.active()[0], modelFingerprint(chatModelPath));
 */
export function requireSameBase(
  adapter: Pick<ActiveAdapter, "name" | "baseFingerprint">,
  fingerprint: string,
): void {
  if (adapter.baseFingerprint === fingerprint) return;
  throw new LoRAAdapterError({
    problem: "base_model_mismatch",
    message: `LoRA adapter "${adapter.name}" was added for another base model (fingerprint ${adapter.baseFingerprint}, this model ${fingerprint})`,
    hint: "chat with the model the adapter was added for, or deactivate it",
  });
}

function findAdapter(index: LoRAIndex, name: string): AdapterRecord {
  const record = index.adapters.find((a) => a.name === name);
  if (record) return record;
  const names = index.adapters.map((a) => a.name);
  throw new NotFoundError({
    message: `no LoRA adapter named "${name}" in this cube`,
    hint: names.length ? `adapters: ${names.join(", ")}` : "add one with `memos lora add FILE.gguf`",
  });
}

function checkAdapterName(name: string): string {
  if (ADAPTER_NAME.test(name)) return name;
  throw new InvalidInputError({
    message: `invalid LoRA adapter name ${JSON.stringify(name)}`,
    hint: "1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (pass --name)",
  });
}

function checkScale(scale: number): number {
  if (typeof scale === "number" && Number.isFinite(scale) && Math.abs(scale) <= MAX_LORA_SCALE) return scale;
  throw new InvalidInputError({
    message: `LoRA scale must be a number from -${MAX_LORA_SCALE} to ${MAX_LORA_SCALE}, got ${String(scale)}`,
    hint: "1 applies the adapter as trained, 0 turns it off, 0.5 halves it",
  });
}

function checkDescription(description: string): string {
  if (typeof description === "string" && description.length <= MAX_DESCRIPTION) return description;
  throw new InvalidInputError({
    message: `a LoRA description is text of at most ${MAX_DESCRIPTION} characters`,
  });
}

/** Copy `from` to `to` through a temporary name, so `to` is never half written. */
function copyIntoPlace(from: string, to: string): void {
  renameSync(stageCopy(from, to), to);
}

/** Copy `from` next to `to` under a temporary name; returns that name. */
function stageCopy(from: string, to: string): string {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  return tmp;
}

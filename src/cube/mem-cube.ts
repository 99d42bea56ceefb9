import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { ConfigError } from "../core/errors/config-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import type { KVCacheMemory } from "../memory/activation/kv-cache-memory.js";
import { ACTIVATION_DIR, ACTIVATION_INDEX } from "../memory/activation/types.js";
import { PARAMETRIC_DIR } from "../memory/parametric/index-file.js";
import type { LoRAMemory } from "../memory/parametric/lora-memory.js";
import { readTextualMemory, writeFileAtomic } from "../memory/textual/persist.js";
import type { PreferenceTextMemory } from "../memory/textual/preference/preference-memory.js";
import { PREFERENCE_MEMORY_FILE } from "../memory/textual/preference/types.js";
import { languageModelFromEnv } from "../providers/shared/from-env.js";
import { type CubeStoreKind, type CubeTextBackend, defaultCubeConfig, MemCubeConfig } from "./config.js";
import "./memory-backends/register.js";
import { openPreferenceMemory } from "./memory-backends/pref-backends.js";
import { openSectionMemory, requireImplementedSections } from "./memory-backends/sections.js";
import {
  type CubeTextMemory,
  type OpenTextMemoryOptions,
  openTextMemory,
} from "./memory-backends/text-backends.js";
import { fetchRemoteCube, type RemoteCubeOptions } from "./remote.js";

/** The memory sections of a cube that `load` can import. */
export type CubeMemoryType = "text_mem" | "pref_mem" | "para_mem" | "act_mem";

/**
 * A container of memories living in one directory: `config.json` (MemOS layout) and the
 * stores of its memories: textual (`text`: general or tree), preference (`preference`) and
 * parametric (`parametric`: LoRA adapters). Activation memory joins it in later work.
 *
 * @example
 * const cube = await MemCube.create("./my-cube", { cubeId: "alice/notes", userId: "alice" });
 * await cube.text.add(["Alice likes green tea"]);
 * await cube.close();
 */
export class MemCube {
  private constructor(
    readonly dir: string,
    readonly config: MemCubeConfig,
    readonly text: CubeTextMemory,
    /** Preference memory (`pref_mem`), when the cube's config has one. */
    readonly preference: PreferenceTextMemory | undefined,
    private parametricMemory: LoRAMemory | undefined,
    private activationMemory: KVCacheMemory | undefined = undefined,
  ) {}

  /** Activation memory (`act_mem`, backend `kv_cache`): KV caches of the cube's memory block. */
  get activation(): KVCacheMemory | undefined {
    return this.activationMemory;
  }

  /** Parametric memory (`para_mem`: LoRA adapters), when the cube's config has one. */
  get parametric(): LoRAMemory | undefined {
    return this.parametricMemory;
  }

  get cubeId(): string {
    return this.config.cube_id;
  }

  /** Create a new cube directory with embedded defaults. Refuses a directory that already holds a cube. */
  static async create(
    dir: string,
    options: {
      cubeId: string;
      userId: string;
      embedder?: { backend: string; config?: Record<string, unknown> };
      /** "general_text" (default) or "tree_text". */
      textBackend?: CubeTextBackend;
      /** Where its stores live (default sqlite: files in `dir`). */
      store?: CubeStoreKind;
    } & OpenTextMemoryOptions,
  ): Promise<MemCube> {
    if (existsSync(join(dir, "config.json"))) {
      throw new InvalidInputError({
        message: `${dir} already holds a cube`,
        hint: "open it instead, or pick another directory",
      });
    }
    mkdirSync(dir, { recursive: true });
    const config = defaultCubeConfig(
      options.cubeId,
      options.userId,
      options.embedder,
      options.textBackend,
      options.store,
    );
    writeFileAtomic(join(dir, "config.json"), JSON.stringify(config, null, 2));
    return MemCube.open(dir, { llm: options.llm });
  }

  /**
   * Open a cube directory (ours or MemOS's). A `tree_text` cube gets `options.llm`, else the LLM
   * `MEMOS_LLM` names, else its config's `extractor_llm`; without any, fine mode says how to set one.
   */
  static async open(dir: string, options: OpenTextMemoryOptions = {}): Promise<MemCube> {
    const config = readCubeConfig(dir);
    requireImplementedSections(config);
    const section = config.text_mem;
    const textMem =
      section && "backend" in section
        ? (section as { backend: string; config: Record<string, unknown> })
        : undefined;
    if (!textMem) {
      throw new ConfigError({
        message: `cube ${config.cube_id} has no text_mem`,
        hint: "its config.json needs text_mem: {backend, config}",
      });
    }
    const llm =
      options.llm ??
      (textMem.backend === "tree_text" || config.pref_mem ? await languageModelFromEnv() : undefined);
    const text = await openTextMemory(dir, textMem, { llm });
    const prefMem =
      config.pref_mem && "backend" in config.pref_mem
        ? (config.pref_mem as { backend: string; config?: Record<string, unknown> })
        : undefined;
    let preference: PreferenceTextMemory | undefined;
    let parametric: LoRAMemory | undefined;
    try {
      preference = prefMem ? await openPreferenceMemory(dir, prefMem, { llm }) : undefined;
      parametric = await openSectionMemory<LoRAMemory>(config, "para_mem", { dir, llm });
    } catch (error) {
      await Promise.all([text.store.close(), preference?.store.close()]);
      throw error;
    }
    let activation: KVCacheMemory | undefined;
    try {
      activation = await openSectionMemory<KVCacheMemory>(config, "act_mem", { dir, llm });
    } catch (error) {
      await Promise.all([text.store.close(), preference?.store.close()]);
      throw error;
    }
    return new MemCube(dir, config, text, preference, parametric, activation);
  }

  /**
   * A new cube at `dir` holding what a dumped cube directory holds (ours or MemOS's): its config's
   * ids unless overridden, its memories re-embedded when the embedder differs.
   *
   * @example
   * const cube = await MemCube.initFromDir("./dumped", { dir: "./cubes/copy", userId: "alice" });
   */
  static async initFromDir(
    source: string,
    options: {
      dir: string;
      cubeId?: string;
      userId?: string;
      types?: CubeMemoryType[];
    } & OpenTextMemoryOptions,
  ): Promise<MemCube> {
    const sourceConfig = existsSync(join(source, "config.json")) ? readCubeConfig(source) : undefined;
    readTextualMemory(source); // validate before creating anything
    const named = (sourceConfig?.text_mem as { backend?: string } | undefined)?.backend;
    const cube = await MemCube.create(options.dir, {
      cubeId: options.cubeId ?? sourceConfig?.cube_id ?? basename(source),
      userId: options.userId ?? sourceConfig?.user_id ?? "default",
      // Keep the source's kind of text memory; anything we cannot open becomes general.
      textBackend: named === "tree_text" || named === "naive_text" ? named : "general_text",
      llm: options.llm,
    });
    try {
      await cube.load(source, { types: options.types });
      return cube;
    } catch (error) {
      await cube.close();
      rmSync(options.dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Fetch a cube from a `.tar.gz` URL (its sha256 checked before anything is unpacked) or a git
   * URL, then `initFromDir` it into `dir`.
   *
   * @example
   * await MemCube.initFromRemote("https://example.org/cube.tar.gz", { dir: "./cubes/x", sha256: "9f2c…" });
   */
  static async initFromRemote(
    url: string,
    options: { dir: string; cubeId?: string; userId?: string } & RemoteCubeOptions & OpenTextMemoryOptions,
  ): Promise<MemCube> {
    const fetched = await fetchRemoteCube(url, options);
    try {
      return await MemCube.initFromDir(fetched.cubeDir, options);
    } finally {
      rmSync(fetched.workDir, { recursive: true, force: true });
    }
  }

  /**
   * Import a dumped cube directory's memories into this cube (merge by id): `textual_memory.json`
   * and, where present, `preference_textual_memories.json`. Embeddings of another model are
   * recomputed. `types` limits what is imported.
   */
  async load(
    dir: string,
    options: { types?: CubeMemoryType[]; reembed?: boolean } = {},
  ): Promise<{ text: number; preference: number; parametric: number; activation?: number }> {
    const types = options.types ?? ["text_mem", "pref_mem", "para_mem", "act_mem"];
    const source = existsSync(join(dir, "config.json")) ? readCubeConfig(dir) : undefined;
    const reembed = options.reembed ?? embedderOf(source) !== embedderOf(this.config);
    const text = types.includes("text_mem") ? await this.text.load(dir, { reembed }) : 0;
    let preference = 0;
    if (types.includes("pref_mem") && this.preference && existsSync(join(dir, PREFERENCE_MEMORY_FILE))) {
      preference = await this.preference.load(dir, { reembed });
    }
    let parametric = 0;
    if (types.includes("para_mem") && existsSync(join(dir, PARAMETRIC_DIR, "index.json"))) {
      const section = source?.para_mem && "backend" in source.para_mem ? source.para_mem : undefined;
      const memory =
        this.parametric ?? (await this.enableParametric(section?.backend === "lora" ? section.config : {}));
      parametric = await memory.load(dir);
    }
    if (types.includes("act_mem") && existsSync(join(dir, ACTIVATION_DIR, ACTIVATION_INDEX))) {
      const section = source?.act_mem && "backend" in source.act_mem ? source.act_mem : undefined;
      // The source's settings, not its extractor model (a path on another machine).
      const { extractor_llm: _model, ...settings } =
        section?.backend === "kv_cache" ? (section.config ?? {}) : {};
      const memory = this.activation ?? (await this.enableActivation(settings));
      return { text, preference, parametric, activation: memory.load(dir) };
    }
    // KV states are reported only by cubes that have activation memory.
    return this.activation
      ? { text, preference, parametric, activation: 0 }
      : { text, preference, parametric };
  }

  /**
   * Turn on activation memory (`act_mem: {backend: "kv_cache", config}`) in a cube that has none,
   * recording it in config.json; returns the cube's activation memory.
   *
   * @example
   * const kv = await cube.enableActivation({ max_memories: 20 });
   */
  async enableActivation(config: Record<string, unknown> = {}): Promise<KVCacheMemory> {
    this.activationMemory ??= await this.enableSection<KVCacheMemory>("act_mem", "kv_cache", config);
    return this.activationMemory;
  }

  /**
   * Turn on parametric memory (`para_mem: {backend: "lora", config}`) in a cube that has none,
   * recording it in config.json; returns the cube's parametric memory.
   *
   * @example
   * const para = await cube.enableParametric({ extractor_llm: { backend: "llama-cpp", config: { model_name_or_path: "./base.gguf" } } });
   */
  async enableParametric(config: Record<string, unknown> = {}): Promise<LoRAMemory> {
    this.parametricMemory ??= await this.enableSection<LoRAMemory>("para_mem", "lora", config);
    return this.parametricMemory;
  }

  /** Open a section's memory with `{backend, config}`, then record the section in config.json. */
  private async enableSection<T>(
    section: "act_mem" | "para_mem",
    backend: string,
    config: Record<string, unknown>,
  ): Promise<T> {
    const value = { backend, config };
    const memory = await openSectionMemory<T>({ ...this.config, [section]: value }, section, {
      dir: this.dir,
    });
    if (!memory) throw new ConfigError({ message: `${section} could not be opened` });
    this.config[section] = value;
    writeFileAtomic(join(this.dir, "config.json"), JSON.stringify(this.config, null, 2));
    return memory;
  }

  /**
   * Write this cube in MemOS's layout: `config.json` + `textual_memory.json`. Refuses a
   * non-empty directory unless `force`.
   */
  async dump(dir: string, options: { force?: boolean } = {}): Promise<string> {
    refuseLiveCube(dir, this.cubeId);
    if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
      throw new InvalidInputError({
        message: `${dir} is not empty`,
        hint: "pick an empty directory, or pass --force",
      });
    }
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, "config.json"), JSON.stringify(this.config, null, 2));
    await this.text.dump(dir);
    await this.preference?.dump(dir);
    this.activation?.dump(dir);
    await this.parametric?.dump(dir);
    return dir;
  }

  async close(): Promise<void> {
    await Promise.all([this.text.store.close(), this.preference?.store.close()]);
  }
}

/**
 * `dump` never writes over a cube: not a directory holding another cube's config.json, nor one
 * holding a cube's database files (a live cube, even this one). Re-dumping a cube into its own
 * earlier dump (same cube_id, only export files) with `force` is allowed.
 */
function refuseLiveCube(dir: string, cubeId: string): void {
  if (!existsSync(join(dir, "config.json"))) return;
  let other: string | undefined;
  try {
    other = readCubeConfig(dir).cube_id;
  } catch {
    return; // not a cube's config: the non-empty check below decides
  }
  const live = readdirSync(dir).find((f) => /\.(db|sqlite3?)(-wal|-shm)?$/.test(f));
  if (other !== cubeId || live) {
    throw new InvalidInputError({
      message: `refusing to dump into ${dir}: it holds ${live ? `the cube "${other}" (its database ${live})` : `a dump of another cube, "${other}"`}`,
      hint: "dump to a new, empty directory",
    });
  }
}

/** Read and validate a cube directory's `config.json` (ours or MemOS's). */
export function readCubeConfig(dir: string): MemCubeConfig {
  const path = join(dir, "config.json");
  if (!existsSync(path)) {
    throw new NotFoundError({
      message: `no cube at ${dir} (config.json missing)`,
      hint: "create one with `memos init` or `memos cube create`",
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new InvalidInputError({
      message: `${path} is not valid JSON`,
      hint: "fix or restore the file",
      cause,
    });
  }
  const parsed = MemCubeConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError({
      message: `${path}: ${issue?.path.join(".") || "(root)"} ${issue?.message ?? "invalid"}`,
      hint: "a cube config needs user_id and cube_id; memory sections are {backend, config}",
    });
  }
  if (!parsed.data.model_schema.startsWith("memos.configs.mem_cube.")) {
    throw new ConfigError({
      message: `${path}: unknown model_schema "${parsed.data.model_schema}"`,
      hint: `expected ${defaultCubeConfig("x", "y").model_schema}`,
    });
  }
  return parsed.data;
}

/** The embedder backend a cube config names for its text memory (for re-embed decisions). */
function embedderOf(config: MemCubeConfig | undefined): string | undefined {
  const text = config?.text_mem;
  if (!text || !("config" in text)) return undefined;
  const embedder = (text.config as { embedder?: { backend?: unknown; config?: unknown } }).embedder;
  return embedder && typeof embedder.backend === "string"
    ? JSON.stringify([embedder.backend, embedder.config ?? {}])
    : undefined;
}

import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors/config-error.js";
import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { writeFileAtomic } from "../memory/textual/persist.js";
import { languageModelFromEnv } from "../providers/from-env.js";
import { type CubeTextBackend, defaultCubeConfig, MemCubeConfig } from "./config.js";
import { type CubeTextMemory, type OpenTextMemoryOptions, openTextMemory } from "./text-memory.js";

/**
 * A container of memories living in one directory: `config.json` (MemOS layout) and the
 * cube's store. This is the foundation's cube: textual memory only; preference, activation and
 * parametric memories join it in later work.
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
  ) {}

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
    } & OpenTextMemoryOptions,
  ): Promise<MemCube> {
    if (existsSync(join(dir, "config.json"))) {
      throw new InvalidInputError({ message: `${dir} already holds a cube`, hint: "open it instead, or pick another directory" });
    }
    mkdirSync(dir, { recursive: true });
    const config = defaultCubeConfig(options.cubeId, options.userId, options.embedder, options.textBackend);
    writeFileAtomic(join(dir, "config.json"), JSON.stringify(config, null, 2));
    return MemCube.open(dir, { llm: options.llm });
  }

  /**
   * Open a cube directory (ours or MemOS's). A `tree_text` cube gets `options.llm`, else the LLM
   * `MEMOS_LLM` names, else its config's `extractor_llm`; without any, fine mode says how to set one.
   */
  static async open(dir: string, options: OpenTextMemoryOptions = {}): Promise<MemCube> {
    const config = readCubeConfig(dir);
    const section = config.text_mem;
    const textMem = section && "backend" in section ? (section as { backend: string; config: Record<string, unknown> }) : undefined;
    if (!textMem) {
      throw new ConfigError({ message: `cube ${config.cube_id} has no text_mem`, hint: "its config.json needs text_mem: {backend, config}" });
    }
    const llm = options.llm ?? (textMem.backend === "tree_text" ? await languageModelFromEnv() : undefined);
    return new MemCube(dir, config, await openTextMemory(dir, textMem, { llm }));
  }

  /**
   * Write this cube in MemOS's layout: `config.json` + `textual_memory.json`. Refuses a
   * non-empty directory unless `force`.
   */
  async dump(dir: string, options: { force?: boolean } = {}): Promise<string> {
    if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
      throw new InvalidInputError({ message: `${dir} is not empty`, hint: "pick an empty directory, or pass --force" });
    }
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, "config.json"), JSON.stringify(this.config, null, 2));
    await this.text.dump(dir);
    return dir;
  }

  async close(): Promise<void> {
    await this.text.store.close();
  }
}

/** Read and validate a cube directory's `config.json` (ours or MemOS's). */
export function readCubeConfig(dir: string): MemCubeConfig {
  const path = join(dir, "config.json");
  if (!existsSync(path)) {
    throw new NotFoundError({ message: `no cube at ${dir} (config.json missing)`, hint: "create one with `memos init` or `memos cube create`" });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new InvalidInputError({ message: `${path} is not valid JSON`, hint: "fix or restore the file", cause });
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

import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import type { MemCube } from "../../cube/mem-cube.js";
import type { AdapterRecord } from "../../memory/parametric/index-file.js";
import { LoRAMemory } from "../../memory/parametric/lora-memory.js";
import { llamaCppModelFromEnv } from "../../memory/parametric/status.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { escapeControl } from "../format.js";
import { type CliIO, printJson } from "../io.js";

interface AddOptions extends CommonOptions {
  name?: string;
  description?: string;
  scale?: string;
  base?: string;
  activate?: boolean;
}

/**
 * `memos lora add FILE [--name N] [--base MODEL.gguf] [--scale S] [--description D] [--activate]`,
 * `lora list`, `lora activate NAME [--scale S]`, `lora deactivate NAME`, `lora remove NAME`:
 * the LoRA adapters of a cube (its parametric memory). Changes need write access to the cube
 * (--cube, else the user's default); `list` reads --cube, else every cube the user reads.
 */
export function registerLora(program: Command, io: CliIO): void {
  const lora = program
    .command("lora")
    .description("LoRA adapters of a cube (parametric memory), applied when chatting with a llama.cpp model");

  withCommon(lora.command("add").argument("<file>", "a LoRA adapter .gguf"))
    .description("check a LoRA adapter against its base model and copy it into the cube")
    .option("--name <name>", "name in the cube (default: the file name)")
    .option(
      "--base <model.gguf>",
      "the base model (default: the cube's para_mem extractor_llm, else MEMOS_LLM=llama-cpp:…)",
    )
    .option("--scale <scale>", "strength when active (default 1)")
    .option("--description <text>", "what the adapter is for")
    .option("--activate", "activate it at once")
    .action(async (file: string, opts: AddOptions) => {
      const scale = opts.scale === undefined ? undefined : parseScale(opts.scale);
      await withContext(io, opts, async (ctx) => {
        const cube = await ctx.writeCube();
        const base = opts.base ? resolve(opts.base) : undefined;
        // The cube's config gains para_mem only once an adapter is in: a refused add changes nothing.
        const para = cube.parametric ?? new LoRAMemory({ dir: cube.dir });
        const record = await para.add(file, {
          name: opts.name,
          description: opts.description,
          scale,
          baseModel: base ?? para.baseModel ?? llamaCppModelFromEnv(),
          activate: opts.activate,
        });
        if (!cube.parametric) await cube.enableParametric(base ? baseModelConfig(base) : {});
        if (ctx.json) printJson(io, { cube_id: cube.cubeId, adapter: record });
        else
          io.stdout(
            `Added LoRA adapter "${record.name}" to cube "${cube.cubeId}" (${record.lora.targets} tensors, rank ${record.lora.rank}, ${record.active ? `active at scale ${record.scale}` : "inactive"})\n`,
          );
      });
    });

  withCommon(lora.command("list"))
    .description("list the LoRA adapters of the cubes the user reads (or --cube)")
    .action(async (opts: CommonOptions) => {
      await withContext(io, opts, async (ctx) => {
        const { results, failedCubes } = await ctx.eachReadCube(
          async (cube) => cube.parametric?.list() ?? [],
        );
        if (ctx.json) {
          printJson(io, {
            cubes: results.map((r) => ({ cube_id: r.cubeId, adapters: r.value })),
            failed_cubes: failedCubes,
          });
          return;
        }
        const rows = results.flatMap((r) => r.value.map((a) => formatAdapter(r.cubeId, a)));
        io.stdout(
          rows.length
            ? `${rows.join("\n")}\n`
            : "No LoRA adapters (add one with `memos lora add FILE.gguf`)\n",
        );
      });
    });

  withCommon(lora.command("activate").argument("<name>", "adapter name"))
    .description("apply an adapter when chatting (its file is checked against its sha256 first)")
    .option("--scale <scale>", "strength (default: the adapter's)")
    .action(async (name: string, opts: CommonOptions & { scale?: string }) => {
      const scale = opts.scale === undefined ? undefined : parseScale(opts.scale);
      await change(io, opts, name, "Activated", (para) => para.activate(name, { scale }));
    });

  withCommon(lora.command("deactivate").argument("<name>", "adapter name"))
    .description("stop applying an adapter (it stays in the cube)")
    .action(async (name: string, opts: CommonOptions) => {
      await change(io, opts, name, "Deactivated", (para) => para.deactivate(name));
    });

  withCommon(lora.command("remove").argument("<name>", "adapter name"))
    .description("remove an adapter and its file from the cube")
    .action(async (name: string, opts: CommonOptions) => {
      await change(io, opts, name, "Removed", (para) => para.remove(name));
    });
}

/** A change to one adapter of the write cube, printed as one line (or JSON). */
async function change(
  io: CliIO,
  opts: CommonOptions,
  name: string,
  verb: string,
  body: (para: LoRAMemory) => Promise<AdapterRecord>,
): Promise<void> {
  await withContext(io, opts, async (ctx) => {
    const cube = await ctx.writeCube();
    const record = await body(requireParametric(cube));
    if (ctx.json) printJson(io, { cube_id: cube.cubeId, adapter: record });
    else
      io.stdout(
        `${verb} LoRA adapter "${name}" in cube "${cube.cubeId}"${verb === "Activated" ? ` (scale ${record.scale})` : ""}\n`,
      );
  });
}

function requireParametric(cube: MemCube): LoRAMemory {
  if (cube.parametric) return cube.parametric;
  throw new NotFoundError({
    message: `cube "${cube.cubeId}" has no parametric memory (para_mem)`,
    hint: "add an adapter with `memos lora add FILE.gguf --base MODEL.gguf`",
  });
}

function formatAdapter(cubeId: string, a: AdapterRecord): string {
  const state = a.active ? `active ×${a.scale}` : `inactive (scale ${a.scale})`;
  const about = a.description ? `  ${a.description}` : "";
  // The base model's name comes from a GGUF header: no terminal escapes from it, nor from the description.
  return escapeControl(
    `${cubeId}  ${a.name}  ${state}  base ${a.base_model.name ?? a.base_model.architecture}  ${a.sha256.slice(0, 12)}${about}`,
  );
}

function parseScale(text: string): number {
  const scale = Number(text);
  if (text.trim() !== "" && Number.isFinite(scale)) return scale;
  throw new InvalidInputError({
    message: `--scale must be a number, got "${text}"`,
    hint: "e.g. --scale 0.8",
  });
}

/** para_mem.config naming the base model as MemOS does: an extractor_llm. */
function baseModelConfig(base: string): Record<string, unknown> {
  return { extractor_llm: { backend: "llama-cpp", config: { model_name_or_path: base } } };
}

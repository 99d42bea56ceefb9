import type { Command } from "commander";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import type { MemCube } from "../../cube/mem-cube.js";
import type { KVCacheMemory } from "../../memory/activation/kv-cache-memory.js";
import { describeActivation, rebuildActivationMemory } from "../../memory/activation/rebuild.js";
import { isActivationCapable } from "../../memory/activation/types.js";
import { languageModelFromEnv } from "../../providers/shared/from-env.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { type CliIO, printJson } from "../io.js";

const ENABLE_HINT = 'add "act_mem": {"backend": "kv_cache", "config": {}} to the cube\'s config.json';

/** The cube's activation memory, or a ConfigError saying how to turn it on. */
function activationOf(cube: MemCube): KVCacheMemory {
  if (cube.activation) return cube.activation;
  throw new ConfigError({
    message: `cube ${cube.cubeId} has no activation memory (act_mem)`,
    hint: ENABLE_HINT,
  });
}

/** The model that computes the cache: the cube's `extractor_llm`, else MEMOS_LLM (llama.cpp). */
async function withModel(kv: KVCacheMemory): Promise<{ kv: KVCacheMemory; llm?: LanguageModel }> {
  if (kv.hasEngine) return { kv };
  const llm = await languageModelFromEnv();
  if (!isActivationCapable(llm)) {
    throw new ConfigError({
      message: "building a KV cache needs a local llama.cpp model",
      hint: "set MEMOS_LLM=llama-cpp:/path/model.gguf (the chat model), or act_mem.config.extractor_llm",
    });
  }
  return { kv: kv.withEngine(llm.activation()), llm };
}

/**
 * `memos kv build|list|drop`: the cube's activation memory (KV caches of its pinned memory block).
 * build needs write access to the cube, list read, drop write.
 */
export function registerKv(program: Command, io: CliIO): void {
  const kv = program
    .command("kv")
    .description("activation memory: KV caches of a cube's memory block (llama.cpp)");

  withCommon(kv.command("build"))
    .description("evaluate the cube's pinned memories and save the KV state (reused when nothing changed)")
    .option("--force", "evaluate again even when the saved cache matches")
    .action(async (opts: CommonOptions & { force?: boolean }) => {
      await withContext(io, opts, async (ctx) => {
        const cube = await ctx.writeCube();
        const { kv: memory, llm } = await withModel(activationOf(cube));
        try {
          const started = performance.now();
          const r = await rebuildActivationMemory({
            activation: memory,
            store: cube.text.store,
            force: opts.force,
          });
          const ms = Math.round(performance.now() - started);
          if (ctx.json) printJson(io, { cube_id: cube.cubeId, ...r, ms });
          else
            io.stdout(
              `${r.rebuilt ? "Built" : "Up to date:"} KV cache ${r.item.id} of ${cube.cubeId}: ${r.item.source_memory_ids.length} memories, ${r.item.token_count} tokens, ${(r.item.bytes / 2 ** 20).toFixed(1)} MiB${r.rebuilt ? ` in ${ms} ms` : ""}${r.dropped ? ` (${r.dropped} stale dropped)` : ""}\n`,
            );
        } finally {
          await (llm as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
        }
      });
    });

  withCommon(kv.command("list"))
    .description("list the KV caches of the cubes you read (stale: their memories changed since)")
    .action(async (opts: CommonOptions) => {
      await withContext(io, opts, async (ctx) => {
        const { results, failedCubes } = await ctx.eachReadCube(async (cube) => {
          if (!cube.activation) return undefined;
          const views = await describeActivation(cube.activation, cube.text.store);
          return views.map((v) => ({ id: v.id, ...v.metadata }));
        });
        const caches = results.flatMap((r) => (r.value ?? []).map((c) => ({ cube_id: r.cubeId, ...c })));
        if (ctx.json) {
          printJson(io, { caches, failed_cubes: failedCubes });
          return;
        }
        if (results.every((r) => r.value === undefined))
          io.stdout(`No cube has activation memory (${ENABLE_HINT}).\n`);
        else if (caches.length === 0) io.stdout("No KV caches yet: run `memos kv build`.\n");
        for (const c of caches) {
          io.stdout(
            `${c.id}  ${c.cube_id}  ${c.source_memory_ids.length} memories  ${c.token_count} tokens  ${(c.bytes / 2 ** 20).toFixed(1)} MiB  model ${c.model_fingerprint.slice(0, 12)}  ${c.created_at}${c.stale ? "  STALE" : ""}\n`,
          );
        }
      });
    });

  withCommon(kv.command("drop").argument("[ids...]", "cache ids (default: every cache of the cube)"))
    .description("delete KV caches and their state files")
    .action(async (ids: string[], opts: CommonOptions) => {
      await withContext(io, opts, async (ctx) => {
        const cube = await ctx.writeCube();
        const memory = activationOf(cube);
        const unknown = ids.filter((id) => !memory.get(id));
        if (unknown.length > 0) {
          throw new InvalidInputError({
            message: `no KV cache ${unknown.join(", ")} in ${cube.cubeId}`,
            hint: "list them with `memos kv list`",
          });
        }
        const dropped = ids.length > 0 ? memory.delete(ids) : memory.deleteAll();
        if (ctx.json) printJson(io, { cube_id: cube.cubeId, dropped });
        else io.stdout(`Dropped ${dropped} KV cache${dropped === 1 ? "" : "s"} of ${cube.cubeId}\n`);
      });
    });
}

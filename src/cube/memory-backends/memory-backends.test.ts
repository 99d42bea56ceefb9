import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createFromConfig, registerBackend } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import type { MemoryStore } from "../../core/interfaces/store.js";
import { GeneralTextMemory } from "../../memory/textual/general.js";
import { startFakeQdrant } from "../../storage/qdrant/test-helpers.js";
import { MemCube } from "../mem-cube.js";
import type { MemoryBackendContext } from "./context.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh cube directory whose config.json is then edited by `patch`. */
async function cubeDir(patch: (config: Record<string, any>) => void): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "memos-backends-"));
  dirs.push(dir);
  const cube = await MemCube.create(dir, { cubeId: "u/c", userId: "u" });
  await cube.close();
  const path = join(dir, "config.json");
  const config = JSON.parse(readFileSync(path, "utf8"));
  patch(config);
  writeFileSync(path, JSON.stringify(config));
  return dir;
}

describe("memory backends go through the one registry", () => {
  it("a text memory backend registered by a user is what MemCube.open builds", async () => {
    const opened: string[] = [];
    registerBackend(
      "text_memory",
      "test_counting_text",
      async (_config, ctx: MemoryBackendContext) => {
        opened.push(ctx.dir);
        const store = await createFromConfig<MemoryStore>("store", { backend: "sqlite", config: {} });
        const embedder = await createFromConfig<Embedder>("embedder", { backend: "glove", config: {} });
        return new GeneralTextMemory({ store, embedder });
      },
      z.looseObject({ label: z.string().optional() }),
    );
    const dir = await cubeDir((c) => {
      c.text_mem = { backend: "test_counting_text", config: { label: "x" } };
    });
    const cube = await MemCube.open(dir);
    await cube.text.add(["the backend was ours"]);
    expect(opened).toEqual([dir]);
    expect((await cube.text.getAll()).map((i) => i.memory)).toEqual(["the backend was ours"]);
    await cube.close();
  });

  it("an unknown text_mem backend is a ConfigError listing the registered ones", async () => {
    const dir = await cubeDir((c) => {
      c.text_mem = { backend: "bogus_text", config: {} };
    });
    const error = await MemCube.open(dir).catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toContain('"bogus_text"');
    expect((error as ConfigError).hint).toMatch(/general_text.*naive_text.*tree_text/);
  });

  it("act_mem / para_mem naming a backend nobody registered is refused, never ignored", async () => {
    for (const [section, backend] of [
      ["act_mem", "vllm_kv_cache"],
      ["para_mem", "not_a_para_backend"],
    ] as const) {
      const dir = await cubeDir((c) => {
        c[section] = { backend, config: {} };
      });
      const error = await MemCube.open(dir).catch((e: unknown) => e);
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).message).toContain(`${section} backend "${backend}"`);
      // Each kind lists the backends it has.
      expect((error as ConfigError).hint).toMatch(
        section === "para_mem" ? /available: lora/ : /available: kv_cache/,
      );
    }
  });

  it("para_mem {backend: lora} opens a LoRA registry in the cube; {} means none", async () => {
    const dir = await cubeDir((c) => {
      c.para_mem = { backend: "lora", config: { memory_filename: "parametric_memory.adapter" } };
    });
    const cube = await MemCube.open(dir);
    expect(cube.parametric?.backend).toBe("lora");
    expect(cube.parametric?.list()).toEqual([]);
    await cube.close();
  });

  it("an empty act_mem / para_mem ({}) means none and opens", async () => {
    const dir = await cubeDir((c) => {
      c.act_mem = {};
      c.para_mem = {};
    });
    const cube = await MemCube.open(dir);
    expect(cube.cubeId).toBe("u/c");
    await cube.close();
  });

  it("a preference vector_db we do not implement is a ConfigError, not swapped for the default", async () => {
    const dir = await cubeDir((c) => {
      c.pref_mem.config.vector_db = { backend: "weaviate", config: {} };
    });
    const error = await MemCube.open(dir).catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toContain('"weaviate" in pref_mem.config.vector_db');
  });

  it("MemOS's milvus preference store maps to the embedded store (memories come from the dump)", async () => {
    const dir = await cubeDir((c) => {
      c.pref_mem.config.vector_db = {
        backend: "milvus",
        config: { collection_name: ["explicit", "implicit"] },
      };
    });
    const cube = await MemCube.open(dir);
    expect(cube.preference).toBeDefined();
    await cube.close();
  });

  it("MemOS's general memory on qdrant uses the Qdrant store when a server is named, SQLite when not", async () => {
    const fake = await startFakeQdrant();
    try {
      const withUrl = await cubeDir((c) => {
        c.text_mem.config.vector_db = {
          backend: "qdrant",
          config: {
            collection_name: "alice",
            vector_dimension: 100,
            distance_metric: "cosine",
            url: fake.url,
          },
        };
      });
      const cube = await MemCube.open(withUrl);
      expect((cube.text as GeneralTextMemory).store.provider).toBe("qdrant");
      await cube.text.add(["Ola paints ceramic tiles"]);
      expect(fake.requests.some((r) => r.path === "/collections/alice/points/batch")).toBe(true);
      await cube.close();
      const local = await cubeDir((c) => {
        c.text_mem.config.vector_db = {
          backend: "qdrant",
          config: { collection_name: "alice", path: "/tmp/q" },
        };
      });
      const mapped = await MemCube.open(local);
      expect((mapped.text as GeneralTextMemory).store.provider).toContain("sqlite");
      await mapped.close();
    } finally {
      await fake.close();
    }
  });
});

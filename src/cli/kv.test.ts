/**
 * `memos kv build|list|drop` and doctor's activation line, on the generated tiny GGUF
 * (MEMOS_LLM=llama-cpp:…): a cache is built from the cube's memories, reused while they do not
 * change, reported stale when they do, and dropped with its state file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import { MemosHome } from "../mos/home.js";
import { json, memos } from "./test-helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "memos-kv-cli-"));
const home = join(tmp, "home");
const savedLlm = process.env.MEMOS_LLM;
let cubeDir: string;

beforeAll(async () => {
  expect((await memos("init", "--dir", home)).code).toBe(0);
  const h = MemosHome.open(home);
  cubeDir = h.cubeDir(h.defaultCubeOf(h.defaultUser));
  h.close();
  expect((await memos("add", "Maya's cat is called Pixel", "--dir", home)).code).toBe(0);
  expect((await memos("add", "Maya lives in Lisbon", "--dir", home)).code).toBe(0);
});
afterAll(() => {
  if (savedLlm === undefined) delete process.env.MEMOS_LLM;
  else process.env.MEMOS_LLM = savedLlm;
  rmSync(tmp, { recursive: true, force: true });
});

/** Turn on act_mem, optionally with MemOS's `extractor_llm` (here the tiny GGUF, one thread). */
function enableActivation(extractor: boolean): void {
  const path = join(cubeDir, "config.json");
  const config = JSON.parse(readFileSync(path, "utf8"));
  const extractorLlm = {
    backend: "llama-cpp",
    config: { model_name_or_path: cachedTestGguf().modelFile, threads: 1, context_size: 1024 },
  };
  config.act_mem = {
    backend: "kv_cache",
    config: {
      memory_filename: "activation_memory.pickle",
      ...(extractor ? { extractor_llm: extractorLlm } : {}),
    },
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
}

describe.sequential("memos kv", () => {
  it("build on a cube without act_mem says how to enable it (exit 2)", async () => {
    const r = await memos("kv", "build", "--dir", home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("has no activation memory");
    expect(r.stderr).toContain('"act_mem": {"backend": "kv_cache"');
  });

  it("build without a llama.cpp model is a config error naming MEMOS_LLM", async () => {
    enableActivation(false);
    delete process.env.MEMOS_LLM;
    const r = await memos("kv", "build", "--dir", home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("MEMOS_LLM=llama-cpp:");
  });

  it("builds with extractor_llm, reuses, reports stale after a change, rebuilds, and drops", async () => {
    enableActivation(true);
    const built = json(await memos("kv", "build", "--dir", home, "--json"));
    expect(built.rebuilt).toBe(true);
    expect(built.item.source_memory_ids).toHaveLength(2);
    expect(built.item.token_count).toBeGreaterThan(40);
    expect(existsSync(join(cubeDir, "activation", `${built.item.id}.kvstate`))).toBe(true);

    const again = json(await memos("kv", "build", "--dir", home, "--json"));
    expect(again).toMatchObject({ rebuilt: false, item: { id: built.item.id } });

    let listed = json(await memos("kv", "list", "--dir", home, "--json"));
    expect(listed.caches).toHaveLength(1);
    expect(listed.caches[0]).toMatchObject({ id: built.item.id, stale: false });
    expect(listed.caches[0].source_text).toBeUndefined();

    let doctor = json(await memos("doctor", "--dir", home, "--json"));
    const line = () => doctor.checks.find((c: { name: string }) => c.name.startsWith("activation "));
    expect(line()?.detail).toMatch(/kv_cache: 1 cache, \d+ tokens, .* up to date/);

    expect((await memos("add", "Maya plays the cello", "--dir", home)).code).toBe(0);
    listed = json(await memos("kv", "list", "--dir", home, "--json"));
    expect(listed.caches[0].stale).toBe(true);
    doctor = json(await memos("doctor", "--dir", home, "--json"));
    expect(line()?.detail).toContain("stale");

    const rebuilt = json(await memos("kv", "build", "--dir", home, "--json"));
    expect(rebuilt).toMatchObject({ rebuilt: true, dropped: 1 });
    expect(rebuilt.item.source_memory_ids).toHaveLength(3);

    const unknown = await memos("kv", "drop", "no-such-cache", "--dir", home);
    expect(unknown.code).toBe(2);
    const dropped = json(await memos("kv", "drop", "--dir", home, "--json"));
    expect(dropped.dropped).toBe(1);
    expect(existsSync(join(cubeDir, "activation", `${rebuilt.item.id}.kvstate`))).toBe(false);
    expect((await memos("kv", "list", "--dir", home)).stdout).toContain("No KV caches yet");
  });
});

/**
 * The LoRA registry on the generated GGUFs (scripts/make-test-gguf): what is accepted, what is
 * refused and why, and that dump/load and the checksums keep adapters intact. Generation with the
 * adapters is in lora-generation.test.ts.
 */
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GgufTensor, writeGguf } from "../../../scripts/gguf/writer.js";
import { cachedTestGguf, makeTestGguf, type TestGgufFiles } from "../../../scripts/make-test-gguf.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { StorageError } from "../../core/errors/storage-error.js";
import { tempDir } from "../../mos/test-helpers.js";
import { LoRAAdapterError, type LoRAAdapterProblem, LoRATrainingUnavailableError } from "./errors.js";
import { modelFingerprint } from "./gguf-info.js";
import { LoRAMemory } from "./lora-memory.js";

const zeros = (name: string, dims: number[]): GgufTensor => ({
  name,
  dims,
  data: () => new Float32Array(dims.reduce((a, b) => a * b, 1)),
});

/** A GGUF with the given header keys and tensors. */
function gguf(file: string, kvs: Parameters<typeof writeGguf>[1], tensors: GgufTensor[]): string {
  writeGguf(file, kvs, tensors);
  return file;
}

const loraKvs = (adapterType = "lora", architecture = "llama") => [
  { key: "general.architecture", type: "string" as const, value: architecture },
  { key: "general.type", type: "string" as const, value: "adapter" },
  { key: "adapter.type", type: "string" as const, value: adapterType },
  { key: "adapter.lora.alpha", type: "f32" as const, value: 8 },
];

async function refusal(promise: Promise<unknown>): Promise<LoRAAdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(LoRAAdapterError.isInstance(error), `expected a LoRAAdapterError, got ${String(error)}`).toBe(true);
  return error as LoRAAdapterError;
}

describe("LoRAMemory: a registry of GGUF LoRA adapters in a cube", () => {
  const t = tempDir("memos-lora-");
  let files: TestGgufFiles;
  let otherSeed: TestGgufFiles;
  let n = 0;
  const fresh = () => new LoRAMemory({ dir: join(t.dir, `cube-${++n}`), baseModel: files.modelFile });

  beforeAll(() => {
    files = cachedTestGguf();
    // Same shape, other weights: a different base model the adapter would load into.
    otherSeed = makeTestGguf(join(t.dir, "other-seed"), "tiny", 99);
  });
  afterAll(() => t.cleanup());

  it("add copies the adapter in with its sha256 and the base model's fingerprint; list and get show it", async () => {
    const para = fresh();
    const record = await para.add(files.loraFile, {
      name: "style",
      description: "a test adapter",
      scale: 0.5,
    });
    expect(record).toMatchObject({
      name: "style",
      file: "style.gguf",
      description: "a test adapter",
      scale: 0.5,
      active: false,
      bytes: files.loraBytes,
      base_model: {
        fingerprint: modelFingerprint(files.modelFile),
        architecture: "llama",
        name: "tiny-random-llama",
      },
      lora: { alpha: 8, rank: 4, targets: 2 * files.nLayer },
    });
    const copy = join(para.dir, "parametric", "style.gguf");
    expect(readFileSync(copy)).toEqual(readFileSync(files.loraFile));
    const { createHash } = await import("node:crypto");
    expect(record.sha256).toBe(createHash("sha256").update(readFileSync(files.loraFile)).digest("hex"));
    expect(para.list().map((a) => a.name)).toEqual(["style"]);
    expect(para.get("style").created_at).toBe(record.created_at);
    // The index is on disk: another instance (another process) sees it.
    expect(new LoRAMemory({ dir: para.dir }).list()).toEqual([record]);
  });

  it("activate / deactivate with a scale; active() lists what a chat context gets", async () => {
    const para = fresh();
    await para.add(files.loraFile, { name: "a" });
    expect(para.active()).toEqual([]);
    await para.activate("a", { scale: 0.25 });
    expect(para.active()).toEqual([
      expect.objectContaining({ name: "a", scale: 0.25, path: join(para.dir, "parametric", "a.gguf") }),
    ]);
    await para.deactivate("a");
    expect(para.active()).toEqual([]);
    expect(para.get("a")).toMatchObject({ active: false, scale: 0.25 });
    await para.activate("a");
    expect(para.active()[0]?.scale).toBe(0.25);
  });

  it("remove deletes the record and the file", async () => {
    const para = fresh();
    await para.add(files.loraFile, { name: "gone" });
    await para.remove("gone");
    expect(para.list()).toEqual([]);
    expect(readdirSync(join(para.dir, "parametric")).filter((f) => f.endsWith(".gguf"))).toEqual([]);
    await expect(para.remove("gone")).rejects.toSatisfy(NotFoundError.isInstance);
  });

  it("a model GGUF (not an adapter) is refused: not_adapter", async () => {
    const e = await refusal(fresh().add(files.modelFile, { name: "model" }));
    expect(e.problem).toBe<LoRAAdapterProblem>("not_adapter");
    expect(e.message).toMatch(/not an adapter.*looks like a model/);
  });

  it("an adapter that is not a LoRA is refused: not_lora", async () => {
    const file = gguf(join(t.dir, "cvec.gguf"), loraKvs("control_vector"), [zeros("direction.1", [64])]);
    const e = await refusal(fresh().add(file));
    expect(e.problem).toBe<LoRAAdapterProblem>("not_lora");
  });

  it("a file that is not GGUF is refused: not_gguf", async () => {
    const file = join(t.dir, "notes.gguf");
    writeFileSync(file, "these are not weights");
    expect((await refusal(fresh().add(file))).problem).toBe<LoRAAdapterProblem>("not_gguf");
  });

  it("an adapter for another architecture or another size of model is refused", async () => {
    const qwen = gguf(join(t.dir, "qwen2-lora.gguf"), loraKvs("lora", "qwen2"), [
      zeros("blk.0.attn_q.weight.lora_a", [64, 4]),
      zeros("blk.0.attn_q.weight.lora_b", [4, 64]),
    ]);
    const arch = await refusal(fresh().add(qwen));
    expect(arch.problem).toBe<LoRAAdapterProblem>("architecture_mismatch");
    expect(arch.message).toContain('"qwen2"');
    // A LoRA for a model with n_embd 128: A's input size does not match attn_q [64, 64].
    const wide = gguf(join(t.dir, "wide-lora.gguf"), loraKvs(), [
      zeros("blk.0.attn_q.weight.lora_a", [128, 4]),
      zeros("blk.0.attn_q.weight.lora_b", [4, 128]),
    ]);
    const shape = await refusal(fresh().add(wide));
    expect(shape.problem).toBe<LoRAAdapterProblem>("shape_mismatch");
    expect(shape.message).toContain("blk.0.attn_q.weight is [64, 64]");
    // A LoRA for a deeper model: the base has no layer 7.
    const deep = gguf(join(t.dir, "deep-lora.gguf"), loraKvs(), [
      zeros("blk.7.attn_q.weight.lora_a", [64, 4]),
      zeros("blk.7.attn_q.weight.lora_b", [4, 64]),
    ]);
    expect((await refusal(fresh().add(deep))).problem).toBe<LoRAAdapterProblem>("shape_mismatch");
    // Nothing was kept of any refused add.
    expect(existsSync(join(t.dir, `cube-${n}`, "parametric", "deep-lora.gguf"))).toBe(false);
  });

  it("the base fingerprint tells same-shaped models apart (another seed: other weights)", () => {
    expect(modelFingerprint(otherSeed.modelFile)).not.toBe(modelFingerprint(files.modelFile));
    expect(modelFingerprint(files.modelFile)).toMatch(/^gguf-sample-v2:[0-9a-f]{64}$/);
  });

  it("bad names, scales and a missing base model are InvalidInputErrors; a name is used once", async () => {
    const para = fresh();
    await expect(para.add(files.loraFile, { name: "../evil" })).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
    await expect(para.add(files.loraFile, { name: "x", scale: Number.NaN })).rejects.toThrow(/scale/);
    await expect(
      new LoRAMemory({ dir: join(t.dir, "nobase") }).add(files.loraFile, { name: "x" }),
    ).rejects.toThrow(/needs its base model/);
    await para.add(files.loraFile, { name: "once" });
    await expect(para.add(files.loraFile, { name: "once" })).rejects.toThrow(
      /already has a LoRA adapter named "once"/,
    );
    await expect(para.activate("once", { scale: 11 })).rejects.toSatisfy(InvalidInputError.isInstance);
  });

  it("a changed adapter file is refused on activate (checksum mismatch)", async () => {
    const para = fresh();
    await para.add(files.loraFile, { name: "tampered" });
    appendFileSync(join(para.dir, "parametric", "tampered.gguf"), Buffer.from([1, 2, 3]));
    const error = await para.activate("tampered").catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).message).toMatch(/checksum mismatch.*refused/);
    expect(para.get("tampered").active).toBe(false);
  });

  it("dump/load round trip: names, scales, active flags and bytes come back", async () => {
    const a = fresh();
    await a.add(files.loraFile, { name: "one", description: "first", scale: 0.5, activate: true });
    await a.add(files.loraFile, { name: "two" });
    const out = join(t.dir, "dump");
    expect(await a.dump(out)).toBe(2);
    const b = fresh();
    expect(await b.load(out)).toBe(2);
    expect(b.list()).toEqual(a.list());
    expect(b.active()).toEqual([expect.objectContaining({ name: "one", scale: 0.5 })]);
    expect(readFileSync(join(b.dir, "parametric", "two.gguf"))).toEqual(readFileSync(files.loraFile));
    expect(await b.verify()).toBe(2);
  });

  it("load refuses a dump whose adapter does not match its checksum, and imports nothing", async () => {
    const a = fresh();
    await a.add(files.loraFile, { name: "good" });
    await a.add(files.loraFile, { name: "bad" });
    const out = join(t.dir, "dump-bad");
    await a.dump(out);
    copyFileSync(files.modelFile, join(out, "parametric", "bad.gguf"));
    const b = fresh();
    const error = await b.load(out).catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).message).toContain('LoRA adapter "bad"');
    expect(b.list()).toEqual([]);
  });

  it("training from memories is not available: capabilities say so and train throws a typed error", async () => {
    const para = fresh();
    expect(para.capabilities.train).toBe(false);
    const error = await para.train(["Alice likes tea"], { name: "alice" }).catch((e: unknown) => e);
    expect(LoRATrainingUnavailableError.isInstance(error)).toBe(true);
    expect((error as LoRATrainingUnavailableError).code).toBe("missing_dependency");
    expect((error as LoRATrainingUnavailableError).hint).toContain("memos lora add");
  });
});

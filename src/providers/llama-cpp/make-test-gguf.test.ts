/** The test-model generators (scripts/): deterministic files that llama.cpp can read. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { cachedTestGguf, makeTestGguf } from "../../../scripts/make-test-gguf.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "memos-gguf-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("make-test-gguf", () => {
  it("writes the same bytes for the same seed, different weights for another", () => {
    const a = makeTestGguf(path.join(tmp, "a"), "tiny", 1);
    const b = makeTestGguf(path.join(tmp, "b"), "tiny", 1);
    const c = makeTestGguf(path.join(tmp, "c"), "tiny", 2);
    expect(fs.readFileSync(a.modelFile).equals(fs.readFileSync(b.modelFile))).toBe(true);
    expect(fs.readFileSync(a.loraFile).equals(fs.readFileSync(b.loraFile))).toBe(true);
    expect(fs.readFileSync(a.modelFile).equals(fs.readFileSync(c.modelFile))).toBe(false);
    expect(a.bytes).toBe(fs.statSync(a.modelFile).size);
    expect(a.bytes).toBeLessThan(1_000_000);
  });

  it("writes a llama GGUF with an SPM vocabulary, a chat template and the shape asked for", async () => {
    const { modelFile, nVocab, nEmbd, nLayer, nFf } = cachedTestGguf();
    const info = await readGgufFileInfo(modelFile);
    expect(info.version).toBe(3);
    const meta = info.metadata as unknown as {
      general: { architecture: string };
      llama: { embedding_length: number; block_count: number; feed_forward_length: number };
      tokenizer: { ggml: { model: string; tokens: string[] }; chat_template: string };
    };
    expect(meta.general.architecture).toBe("llama");
    expect(meta.llama.embedding_length).toBe(nEmbd);
    expect(meta.llama.block_count).toBe(nLayer);
    expect(meta.llama.feed_forward_length).toBe(nFf);
    expect(meta.tokenizer.ggml.model).toBe("llama");
    expect(meta.tokenizer.ggml.tokens).toHaveLength(nVocab);
    expect(meta.tokenizer.ggml.tokens).toContain("<0x0A>"); // byte fallback
    expect(meta.tokenizer.chat_template).toContain("<|im_start|>");
    expect(info.tensorInfo?.map((t) => t.name)).toContain("blk.1.ffn_down.weight");
  });

  it("writes a LoRA adapter for attn_q / attn_v of every layer", async () => {
    const { loraFile, nLayer } = cachedTestGguf();
    const info = await readGgufFileInfo(loraFile);
    const names = info.tensorInfo?.map((t) => t.name) ?? [];
    expect(names).toHaveLength(nLayer * 4);
    expect(names).toContain("blk.0.attn_q.weight.lora_a");
    expect((info.metadata as unknown as { adapter: { type: string } }).adapter.type).toBe("lora");
  });
});

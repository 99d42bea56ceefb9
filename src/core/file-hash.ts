import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Bytes read from the model file for its fingerprint: 64 windows of 64 KiB spread over it. */
const SAMPLES = 64;
const SAMPLE_BYTES = 64 * 1024;
const hashes = new Map<string, string>();

/**
 * A content fingerprint of a (possibly multi-GB) file: sha256 over its size and 64 windows spread
 * across it, header and tail included. Two GGUFs that differ in their metadata or in any sampled
 * weights differ here; hashing all of a 5 GB file per chat would cost seconds. Cached per path,
 * size and mtime. KV states (activation memory) and LoRA adapters (parametric memory) both tie
 * themselves to a model through it.
 *
 * @example
 * const digest = sampledFileHash("./models/qwen2.5-0.5b-instruct-q4_k_m.gguf"); // "9c1e…" (hex)
 */
export function sampledFileHash(file: string): string {
  const stat = fs.statSync(file);
  const key = `${path.resolve(file)}\0${stat.size}\0${stat.mtimeMs}`;
  const cached = hashes.get(key);
  if (cached) return cached;
  const hash = createHash("sha256").update(String(stat.size));
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const step = Math.max(SAMPLE_BYTES, Math.floor((stat.size - SAMPLE_BYTES) / (SAMPLES - 1)));
    for (let at = 0; at < stat.size; at += step) {
      const read = fs.readSync(
        fd,
        buffer,
        0,
        SAMPLE_BYTES,
        Math.min(at, Math.max(0, stat.size - SAMPLE_BYTES)),
      );
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    fs.closeSync(fd);
  }
  const digest = hash.digest("hex");
  hashes.set(key, digest);
  return digest;
}

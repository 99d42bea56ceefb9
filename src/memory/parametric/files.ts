/**
 * Adapter files: their sha256, verified before a file is used, dumped or imported (a check cached
 * per path, size and mtime, so a chat turn does not re-read a large adapter).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { StorageError } from "../../core/errors/storage-error.js";

/** sha256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const verified = new Map<string, string>();

/**
 * Throw a StorageError unless `path` exists and its sha256 is `expected`. `what` names the
 * adapter in the message.
 */
export async function verifyChecksum(path: string, expected: string, what: string): Promise<void> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    throw new StorageError({
      message: `${what}: its file ${path} is missing`,
      hint: "remove the adapter (`memos lora remove NAME`) and add it again",
    });
  }
  const key = `${path}\0${stat.size}\0${stat.mtimeMs}`;
  if (verified.get(key) === expected) return;
  const actual = await sha256File(path);
  if (actual !== expected) {
    throw new StorageError({
      message: `${what}: checksum mismatch, ${path} has sha256 ${actual} but the index records ${expected}; refused`,
      hint: "the file was changed or damaged after it was added; add the adapter again from its source",
    });
  }
  verified.set(key, expected);
}

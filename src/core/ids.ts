import { createHash, randomUUID } from "node:crypto";

/** A new memory id: a random UUID, as MemOS uses. */
export function newId(): string {
  return randomUUID();
}

/** Stable content hash, for exact-duplicate detection. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text.normalize("NFC").trim().toLowerCase()).digest("hex");
}

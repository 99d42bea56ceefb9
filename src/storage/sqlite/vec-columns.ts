import { createHash } from "node:crypto";
import type Database from "better-sqlite3";

/** Metadata columns of the vec0 table, so filtered KNN runs inside sqlite-vec (see filter-sql.ts). */
export const VEC_METADATA_COLUMNS = ["status", "memory_type", "user_id"] as const;
export type VecMetadataColumn = (typeof VEC_METADATA_COLUMNS)[number];

/**
 * sqlite-vec keeps the first 12 bytes of a text metadata value beside the vectors and the rest
 * in another table, so a filter on a longer value ("LongTermMemory", a UUID user id) reads that
 * table for every row it scans: about 4x the cost of the whole KNN. Longer values are therefore
 * stored, and looked for, as a 12-byte digest. The full filter is applied to the items afterwards
 * in any case, so a digest collision (66 bits) could only drop a result, never admit a wrong one.
 */
const INLINE_BYTES = 12;
const DIGEST_CACHE_LIMIT = 1024;
const digests = new Map<string, string>();

/** The value a vec0 metadata column stores for an item's field (vec0 columns cannot hold NULL). */
export function vecColumnValue(v: unknown): string {
  if (typeof v !== "string") return "";
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so short strings skip the count.
  if (v.length * 3 <= INLINE_BYTES || Buffer.byteLength(v) <= INLINE_BYTES) return v;
  let d = digests.get(v);
  if (d === undefined) {
    d = `~${createHash("sha1")
      .update(v)
      .digest("base64url")
      .slice(0, INLINE_BYTES - 1)}`;
    if (digests.size >= DIGEST_CACHE_LIMIT) digests.clear();
    digests.set(v, d);
  }
  return d;
}

/** Schema v4: rewrite the vec0 columns of a cube written before digests (values over 12 bytes). */
export function digestVecColumns(db: Database.Database): void {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'vec_items'").get() === undefined) return;
  db.function("memos_vec_value", { deterministic: true }, (v: unknown) => vecColumnValue(v));
  for (const c of VEC_METADATA_COLUMNS) {
    db.exec(
      `UPDATE vec_items SET ${c} = memos_vec_value(${c}) WHERE length(CAST(${c} AS BLOB)) > ${INLINE_BYTES}`,
    );
  }
}

import { createHash } from "node:crypto";

/** Metadata columns of the vec0 table, so filtered KNN runs inside sqlite-vec (see filter-sql.ts). */
export const VEC_METADATA_COLUMNS = ["status", "memory_type", "user_id"] as const;
export type VecMetadataColumn = (typeof VEC_METADATA_COLUMNS)[number];

/**
 * sqlite-vec keeps each value of a partition key in chunks of its own, so a search for activated
 * memories scans only those: a tree cube archives what it evicts, and its archived memories soon
 * outnumber the activated ones. Status has few values, so partitions stay large.
 */
export const VEC_PARTITION_COLUMN: VecMetadataColumn = "status";

/** The vec0 table's DDL; `dimensions` is a validated positive integer (DDL takes no parameters). */
export function vecTableDdl(name: string, dimensions: number): string {
  const meta = VEC_METADATA_COLUMNS.map((c) =>
    c === VEC_PARTITION_COLUMN ? `${c} text partition key` : `${c} text`,
  );
  return `CREATE VIRTUAL TABLE ${name} USING vec0(embedding float[${dimensions}] distance_metric=cosine, ${meta.join(", ")})`;
}

/**
 * sqlite-vec keeps the first 12 bytes of a text metadata value beside the vectors and the rest
 * in another table, so a filter on a longer value ("LongTermMemory", a UUID user id) reads that
 * table for every row it scans: about 4x the cost of the whole KNN. Longer values are therefore
 * stored, and looked for, as a 12-byte digest. The full filter is applied to the items afterwards
 * in any case, so a digest collision (66 bits) could only drop a result, never admit a wrong one.
 */
export const INLINE_BYTES = 12;
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

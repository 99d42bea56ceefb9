/**
 * A minimal GGUF v3 writer: metadata key/values plus F32 tensors, streamed to disk one tensor
 * at a time so multi-GB test models never sit in memory whole.
 *
 * Format facts (ggml `gguf.cpp`): little-endian; header = magic "GGUF", version u32, tensor count
 * u64, kv count u64; strings are u64 length + UTF-8 bytes; each tensor info is name, n_dims u32,
 * dims u64[] (innermost first), ggml type u32 (0 = F32), offset u64 relative to the data section;
 * the data section starts at the next multiple of `general.alignment` (default 32) and every
 * tensor's data is aligned to it too.
 */
import fs from "node:fs";

/** GGUF metadata value types. */
export const GgufType = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
} as const;

type Scalar = "u32" | "i32" | "f32" | "bool" | "string" | "u64";

/** One metadata entry. Arrays carry their element type. */
export type GgufKv =
  | { key: string; type: Scalar; value: number | boolean | string }
  | { key: string; type: "array"; of: Scalar; value: ReadonlyArray<number | boolean | string> };

/** A tensor whose F32 data is produced on demand (so callers can generate it lazily). */
export interface GgufTensor {
  name: string;
  /** ggml order: innermost (row length) first. */
  dims: number[];
  data: () => Float32Array;
}

const ALIGNMENT = 32;
const SCALAR_TYPE: Record<Scalar, number> = {
  u32: GgufType.U32,
  i32: GgufType.I32,
  f32: GgufType.F32,
  bool: GgufType.BOOL,
  string: GgufType.STRING,
  u64: GgufType.U64,
};

/** Growable little-endian byte buffer for the header. */
class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;

  bytes(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.bytes(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v | 0);
    this.bytes(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.bytes(b);
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.bytes(b);
  }
  string(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.bytes(b);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad) this.bytes(Buffer.alloc(pad));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeScalar(sink: ByteSink, type: Scalar, value: number | boolean | string): void {
  if (type === "u32") sink.u32(Number(value));
  else if (type === "i32") sink.i32(Number(value));
  else if (type === "f32") sink.f32(Number(value));
  else if (type === "u64") sink.u64(Number(value));
  else if (type === "bool") sink.bytes(Buffer.from([value ? 1 : 0]));
  else sink.string(String(value));
}

function writeKv(sink: ByteSink, kv: GgufKv): void {
  sink.string(kv.key);
  if (kv.type === "array") {
    sink.u32(GgufType.ARRAY);
    sink.u32(SCALAR_TYPE[kv.of]);
    sink.u64(kv.value.length);
    for (const v of kv.value) writeScalar(sink, kv.of, v);
  } else {
    sink.u32(SCALAR_TYPE[kv.type]);
    writeScalar(sink, kv.type, kv.value);
  }
}

const alignUp = (n: number) => n + ((ALIGNMENT - (n % ALIGNMENT)) % ALIGNMENT);

/**
 * Write a GGUF file. It is written to `file + ".tmp"` and renamed, so a reader (or a parallel
 * test worker) never sees a half-written model.
 *
 * @example
 * writeGguf("/tmp/m.gguf", [{ key: "general.architecture", type: "string", value: "llama" }], []);
 */
export function writeGguf(file: string, kvs: GgufKv[], tensors: GgufTensor[]): number {
  const header = new ByteSink();
  header.bytes(Buffer.from("GGUF", "ascii"));
  header.u32(3);
  header.u64(tensors.length);
  header.u64(kvs.length);
  for (const kv of kvs) writeKv(header, kv);

  let offset = 0;
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    header.string(t.name);
    header.u32(t.dims.length);
    for (const d of t.dims) header.u64(d);
    header.u32(0); // GGML_TYPE_F32
    header.u64(offset);
    offset = alignUp(offset + elements * 4);
  }
  header.padTo(ALIGNMENT);

  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  let written = 0;
  try {
    const head = header.toBuffer();
    fs.writeSync(fd, head);
    written += head.length;
    for (const t of tensors) {
      const data = t.data();
      const expected = t.dims.reduce((a, b) => a * b, 1);
      if (data.length !== expected)
        throw new Error(`tensor ${t.name}: ${data.length} values, dims say ${expected}`);
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      fs.writeSync(fd, bytes);
      const pad = alignUp(bytes.length) - bytes.length;
      if (pad) fs.writeSync(fd, Buffer.alloc(pad));
      written += bytes.length + pad;
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return written;
}

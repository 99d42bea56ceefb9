/**
 * Just enough protobuf wire-format encoding to write a small ONNX model by hand (no `onnx` or
 * `protobufjs` dependency). Messages are built bottom-up as byte buffers.
 *
 * Wire types: 0 = varint, 2 = length-delimited. Field key = (field number << 3) | wire type.
 */

function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n; // negative int64 → two's complement, 10 bytes
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}

/** One encoded field. */
export type Field = Buffer;

/** An integer field (int32, int64, enum, bool). */
export function int(field: number, value: number | bigint): Field {
  return Buffer.concat([varint((field << 3) | 0), varint(value)]);
}

/** A bytes field: a string, raw data or an embedded message. */
export function bytes(field: number, value: Buffer | string): Field {
  const b = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
}

/** A message's bytes: its fields, concatenated. */
export function message(...fields: Field[]): Buffer {
  return Buffer.concat(fields);
}

/**
 * Input bounds of reading, in one place. Reading cost grows linearly with input size (text is
 * segmented in bounded slices, see `text.ts`), and these bounds cap that size, so one request
 * can neither hang an add nor exhaust memory. Beyond a bound the add is refused with an
 * InvalidInputError that says how to split the input; within it, a long message is chunked into
 * windows, never dropped.
 *
 * @module
 */
import { InvalidInputError } from "../core/errors/invalid-input-error.js";

const MiB = 1024 * 1024;

/** Largest single message (or memory text), in UTF-8 bytes: 8 MiB. */
export const MAX_MESSAGE_BYTES = 8 * MiB;

/** Largest request (every message, memory text and document of one add together), in UTF-8 bytes: 32 MiB. */
export const MAX_REQUEST_BYTES = 32 * MiB;

/**
 * Largest slice handed to `Intl.Segmenter` at once, in UTF-16 code units. ICU's sentence and
 * word segmentation is superlinear in its input on Node 20 (a 200 KB message took seconds to
 * minutes), so longer text is cut at a paragraph, line or space boundary first.
 */
export const SEGMENT_SLICE_CHARS = 4096;

const human = (bytes: number) =>
  bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

/** UTF-8 size of a string without allocating a buffer for it. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * Throw InvalidInputError when one message is larger than MAX_MESSAGE_BYTES.
 *
 * @example
 * checkMessageSize(content, "messages[3].content");
 */
export function checkMessageSize(text: string, where: string): number {
  const bytes = utf8Bytes(text);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InvalidInputError({
      message: `${where} is ${human(bytes)}, over the ${human(MAX_MESSAGE_BYTES)} limit for one message`,
      hint: `split it into several messages (each at most ${human(MAX_MESSAGE_BYTES)}), or add it as a document file`,
    });
  }
  return bytes;
}

/**
 * Throw InvalidInputError when the texts of one request together exceed MAX_REQUEST_BYTES.
 *
 * @example
 * checkRequestSize(messages.map((m) => m.content));
 */
export function checkRequestSize(texts: Iterable<string>, what = "this add"): number {
  let total = 0;
  for (const t of texts) {
    total += utf8Bytes(t);
    if (total > MAX_REQUEST_BYTES) {
      throw new InvalidInputError({
        message: `${what} holds more than ${human(MAX_REQUEST_BYTES)} of text, the limit for one request`,
        hint: `split it into several adds of at most ${human(MAX_REQUEST_BYTES)} each`,
      });
    }
  }
  return total;
}

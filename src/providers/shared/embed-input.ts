/**
 * The input check every embedder makes before any work: an array of strings. A number or null
 * among the texts is a caller's bug; it gets an InvalidInputError naming its index instead of a
 * TypeError deep in a tokenizer, or a vector for the text "42".
 *
 * @module
 */
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";

/**
 * Throw an {@link InvalidInputError} unless `texts` is an array of strings (of at most
 * `maxBatch`, for embedders that refuse larger batches rather than split them).
 *
 * @example
 * async doEmbed(texts, options) { checkEmbedInput(texts, this.maxBatch); ... }
 */
export function checkEmbedInput(texts: unknown, maxBatch?: number): asserts texts is string[] {
  if (!Array.isArray(texts)) {
    throw new InvalidInputError({
      message: "doEmbed expects an array of strings",
      hint: "wrap one text as [text]",
    });
  }
  if (maxBatch !== undefined && texts.length > maxBatch) {
    throw new InvalidInputError({
      message: `${texts.length} texts exceed this embedder's batch limit of ${maxBatch}`,
      hint: "use embedMany(), which splits the input",
    });
  }
  for (let i = 0; i < texts.length; i++) {
    const text: unknown = texts[i];
    if (typeof text !== "string") {
      throw new InvalidInputError({
        message: `doEmbed: text ${i} is ${text === null ? "null" : typeof text}, not a string`,
        hint: "pass strings only (use '' for an empty text)",
      });
    }
  }
}

/**
 * cl100k token counting for reports: the product's own counter (src/reader/tokens.ts), so a
 * benchmark's "tokens" are exactly the tokens the reader sized its memory windows in.
 */
export { countTokens } from "../../src/reader/tokens.js";

import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { Candidate } from "./dedup.js";

/** Best first; ties by id, so equal scores keep one order. */
export function byScore(a: Candidate, b: Candidate): number {
  return b.score - a.score || (a.item.id < b.item.id ? -1 : 1);
}

/** The query, trimmed; an empty or non-string one is an InvalidInputError. */
export function requireQuery(query: unknown): string {
  if (typeof query !== "string" || query.trim() === "") {
    throw new InvalidInputError({
      message: "the search query is empty",
      hint: 'pass some text, e.g. search("where does Alice live?")',
    });
  }
  return query.trim();
}

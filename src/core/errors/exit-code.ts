import { MemosError } from "./memos-error.js";

/** CLI exit codes (DESIGN.md section 6): 2 bad input, 3 access denied, 1 anything else. */
export function exitCodeFor(error: unknown): 1 | 2 | 3 {
  if (!MemosError.isInstance(error)) return 1;
  switch (error.code) {
    case "invalid_input":
    case "not_found":
    case "config":
    case "auth":
      return 2;
    case "access_denied":
      return 3;
    default:
      return 1;
  }
}

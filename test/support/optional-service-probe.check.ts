// Run only by services.test.ts (its own vitest config): opt-in services that never exist.
import { describe } from "vitest";
import { describeWithOptionalService, itWithOptionalService } from "./services.js";

describe("optional probe", () => {
  itWithOptionalService(
    "nonexistent-graph",
    undefined,
    "set MEMOS_TEST_NONEXISTENT_GRAPH",
    "talks to it",
    () => {
      throw new Error("must not run");
    },
  );
  describeWithOptionalService(
    "nonexistent-vectors",
    "",
    "set MEMOS_TEST_NONEXISTENT_VECTORS",
    "suite",
    () => {
      throw new Error("must not be defined");
    },
  );
});

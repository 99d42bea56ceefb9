// Run only by services.test.ts (its own vitest config): a suite needing a service that never exists.
import { describe } from "vitest";
import { itWithService } from "./services.js";

describe("probe", () => {
  itWithService(
    "nonexistent-db",
    undefined,
    "set MEMOS_TEST_NONEXISTENT_URL",
    "talks to the service",
    () => {},
  );
});

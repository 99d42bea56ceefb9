import { describe, expect, it } from "vitest";
import { measureEviction } from "./eviction.js";

describe("eviction benchmark", () => {
  it("archives exactly the asked number each round and reports a time", async () => {
    const row = await measureEviction(120, 5, 3);
    expect(row).toMatchObject({ capacity: 120, evicted_per_round: 5, rounds: 3 });
    expect(row.ms_per_eviction).toBeGreaterThan(0);
  });
});

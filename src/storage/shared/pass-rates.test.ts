import { describe, expect, it } from "vitest";
import { FilterPassRates } from "./pass-rates.js";

describe("FilterPassRates", () => {
  it("takes a drop at once and a rise halfway, per filter", () => {
    const rates = new FilterPassRates();
    expect(rates.get("a")).toBeUndefined();
    rates.note("a", 1);
    rates.note("a", 0.2);
    expect(rates.get("a")).toBe(0.2);
    rates.note("a", 1);
    expect(rates.get("a")).toBeCloseTo(0.6);
    rates.note("b", 0.5);
    expect(rates.get("b")).toBe(0.5);
    rates.note("b", Number.NaN);
    expect(rates.get("b")).toBe(0.5);
  });

  it("forgets everything when full rather than growing", () => {
    const rates = new FilterPassRates(2);
    rates.note("a", 1);
    rates.note("b", 1);
    rates.note("c", 1);
    expect(rates.get("a")).toBeUndefined();
    expect(rates.get("c")).toBe(1);
  });
});

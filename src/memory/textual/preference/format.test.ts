import { describe, expect, it } from "vitest";
import { TextualMemoryItem } from "../../../core/schema/memory.js";
import { formatPreferencesForPrompt } from "./format.js";

const pref = (id: string, memory: string, metadata: Record<string, unknown> = {}) =>
  TextualMemoryItem.parse({
    id,
    memory,
    metadata: { memory_type: "PreferenceMemory", preference_type: "explicit_preference", ...metadata },
  });

describe("formatPreferencesForPrompt", () => {
  it("lists explicit preferences before implicit ones, each once, without overridden ones", () => {
    const block = formatPreferencesForPrompt([
      {
        item: pref("1", "The user likes short answers", { preference_type: "implicit_preference" }),
        score: 0.9,
        paths: ["vector"],
      },
      pref("2", "The user is vegetarian"),
      pref("3", "The user eats meat", { invalid_at: "2025-01-01T00:00:00Z" }),
      pref("4", "the user is   vegetarian"),
      pref("5", "ignored text", { preference: "The user prefers\nwindow seats" }),
    ]);
    expect(block).toBe(
      "User preferences:\n- The user is vegetarian (explicit)\n- The user prefers window seats (explicit)\n- The user likes short answers (implicit)",
    );
  });

  it("is empty when there is nothing to say", () => {
    expect(formatPreferencesForPrompt([])).toBe("");
    expect(formatPreferencesForPrompt([pref("1", "old", { invalid_at: "2025-01-01T00:00:00Z" })])).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import { findPreferences, statesPreference } from "./preference-rules.js";

describe("findPreferences (fast, rule-based)", () => {
  it.each([
    ["I can't stand horror films.", "dislike"],
    ["Honestly, I really dislike crowded beaches.", "dislike"],
    ["I'm vegan, so no leather for me.", "diet"],
    ["I follow a strict gluten-free and dairy-free diet.", "diet"],
    ["I'm allergic to shellfish.", "diet"],
    ["I prefer window seats on long flights.", "like"],
    ["I have a strong aversion to subscription software.", "dislike"],
    ["I always cycle to work, even in the rain.", "habit"],
    ["I find flashcards ineffective and prefer storytelling.", "like"],
    ["I'd rather stay in a quiet cabin than a big hotel.", "like"],
  ])("finds %j", (text, kind) => {
    const found = findPreferences(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.kind).toBe(kind);
  });

  it("keeps only the sentence that states the preference", () => {
    const found = findPreferences("We landed at noon. I can't stand long queues. The hotel was fine.");
    expect(found.map((p) => p.text)).toEqual(["I can't stand long queues."]);
  });

  it("ignores questions, third persons and plain facts", () => {
    expect(statesPreference("Do you think I like jazz?")).toBe(false);
    expect(statesPreference("My brother loves football.")).toBe(false);
    expect(statesPreference("The meeting moved to 3 pm on Friday.")).toBe(false);
    expect(statesPreference("Write a function that sorts a list.")).toBe(false);
  });
});

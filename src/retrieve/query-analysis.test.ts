import { describe, expect, it } from "vitest";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import {
  analyzeQuery,
  boostNamedSpeakers,
  preferenceOnly,
  queryDates,
  questionTopic,
} from "./query-analysis.js";

describe("analyzeQuery", () => {
  it.each([
    "Can you recommend a good video editing software for me?",
    "What would you suggest for a quiet weekend?",
    "I'm looking for a new workout to build endurance.",
    "Which restaurant should I book tonight?",
    "What are some good resources for learning Python?",
  ])("reads %j as a request for advice", (q) => {
    expect(analyzeQuery(q).seeksPreference).toBe(true);
  });

  it.each([
    "When did Caroline go to the support group?",
    "What book did Tim recommend to John?",
    "What advice did Audrey give to Andrew?",
    "What is the name of her pet?",
  ])("reads %j as a question about facts", (q) => {
    expect(analyzeQuery(q).seeksPreference).toBe(false);
  });

  it("narrows a filter to preference-tagged memories", () => {
    expect(preferenceOnly(undefined)).toEqual({
      kind: "cmp",
      field: "tags",
      op: "contains",
      value: "preference",
    });
  });
});

describe("boostNamedSpeakers", () => {
  const turn = (id: string, speaker: string) =>
    ({ id, memory: id, metadata: { tags: [`speaker:${speaker}`] } }) as unknown as TextualMemoryItem;
  const window = {
    id: "w",
    memory: "w",
    metadata: { tags: ["speaker:ana", "speaker:caroline"] },
  } as TextualMemoryItem;

  it("puts the named speaker's turns first and another speaker's turns below a window of both", () => {
    const hits = [
      { item: turn("mel", "melanie"), score: 1 },
      { item: window, score: 0.95 },
      { item: turn("car", "caroline"), score: 0.9 },
    ];
    const out = boostNamedSpeakers("What did Caroline research?", hits, (h) => h.item);
    expect(out.map((h) => h.item.id)).toEqual(["car", "w", "mel"]);
    expect(out.find((h) => h.item.id === "w")?.score).toBe(0.95);
  });

  it("leaves every score alone when no result is a turn of the named speaker", () => {
    const hits = [
      { item: turn("mel", "melanie"), score: 1 },
      { item: window, score: 0.95 },
    ];
    const out = boostNamedSpeakers("What did Caroline research?", hits, (h) => h.item);
    expect(out).toEqual(hits);
    expect(boostNamedSpeakers("What did they research?", hits, (h) => h.item)).toEqual(hits);
  });
});

describe("queryDates", () => {
  it("writes the dates a query names as memories write them", () => {
    expect(queryDates("What did Caroline do on May 7th, 2023?")).toEqual(["7 May 2023"]);
    expect(queryDates("Which book did Tim recommend on 8th December, 2023?")).toEqual(["8 December 2023"]);
    expect(queryDates("what happened on 2023-05-07")).toEqual(["7 May 2023"]);
    expect(queryDates("Where was Jon in June 2023?")).toEqual(["June 2023"]);
    expect(queryDates("When did Jon move?")).toEqual([]);
  });
});

describe("questionTopic", () => {
  it.each([
    ["What kind of art does Caroline make?", "What art does Caroline make?"],
    ["Which types of music does Tim like?", "Which music does Tim like?"],
    ["what sort of car does Evan drive", "what car does Evan drive"],
  ])("drops the frame of %j", (query, topic) => {
    expect(questionTopic(query)).toBe(topic);
  });

  it.each(["Is Maya kind to her sister?", "What type does the parser return?", "What kind?"])(
    "keeps %j as it is where 'kind/type' is the topic",
    (query) => {
      expect(questionTopic(query)).toBe(query);
    },
  );
});

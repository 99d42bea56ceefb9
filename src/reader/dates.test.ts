import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/index.js";
import { resolveRelativeDates } from "./dates.js";

// Monday 8 May 2023, 1:56 pm UTC (LoCoMo's first session time).
const MONDAY = "2023-05-08T13:56:00Z";
// Saturday 6 May 2023, late evening UTC.
const SATURDAY = "2023-05-06T22:30:00Z";

const annotate = (text: string, ref = MONDAY) => resolveRelativeDates(text, ref).text;

describe("resolveRelativeDates", () => {
  it("annotates past expressions against the reference time", () => {
    expect(annotate("I went there yesterday")).toBe("I went there yesterday [7 May 2023]");
    expect(annotate("We met last week.")).toBe("We met last week [week of 1 May 2023].");
    expect(annotate("I saw it two days ago")).toBe("I saw it two days ago [6 May 2023]");
    expect(annotate("the day before yesterday")).toBe("the day before yesterday [6 May 2023]");
    expect(annotate("It rained last night")).toBe("It rained last night [7 May 2023]");
    expect(annotate("I moved here last year")).toBe("I moved here last year [2022]");
    expect(annotate("Sold it last month")).toBe("Sold it last month [April 2023]");
    expect(annotate("a few weeks ago")).toBe("a few weeks ago [around 17 April 2023]");
  });

  it("points forward where the words do", () => {
    expect(annotate("Let's meet next Friday")).toBe("Let's meet next Friday [19 May 2023]");
    expect(annotate("I'll be back in 3 days")).toBe("I'll be back in 3 days [11 May 2023]");
    expect(annotate("The trip is next month")).toBe("The trip is next month [June 2023]");
    expect(annotate("Starting next week")).toBe("Starting next week [week of 15 May 2023]");
    expect(annotate("I'll call tomorrow", SATURDAY)).toBe("I'll call tomorrow [7 May 2023]");
  });

  it("reads a bare weekday by the tense of its sentence", () => {
    expect(annotate("I went to the museum on Friday.")).toBe("I went to the museum on Friday [5 May 2023].");
    expect(annotate("I'll see you on Friday!")).toBe("I'll see you on Friday [12 May 2023]!");
    expect(annotate("We're going to hike this weekend")).toBe(
      "We're going to hike this weekend [weekend of 13 May 2023]",
    );
    // Several expressions, each against its own sentence.
    expect(annotate("I painted on Wednesday. I will paint again on Wednesday.", SATURDAY)).toBe(
      "I painted on Wednesday [3 May 2023]. I will paint again on Wednesday [10 May 2023].",
    );
  });

  it("returns what it resolved, with ISO starts and granularity", () => {
    const r = resolveRelativeDates("See you next month! I went there yesterday.", MONDAY);
    expect(r.dates).toEqual([
      {
        phrase: "next month",
        iso: "2023-06-01T00:00:00.000Z",
        granularity: "month",
        label: "June 2023",
        index: 8,
      },
      {
        phrase: "yesterday",
        iso: "2023-05-07T00:00:00.000Z",
        granularity: "day",
        label: "7 May 2023",
        index: 33,
      },
    ]);
  });

  it("leaves absolute dates, times of day, the reference day itself and non-dates alone", () => {
    for (const text of [
      "On 7 May 2023 I went to the lake",
      "2023-05-01 was great",
      "It was 1:56 pm on 8 May, 2023",
      "Let's talk today",
      "See you tonight",
      "Right now I'm busy",
      "Call me at 3pm",
      "This week is busy",
      "The Sun is shining",
      "Sat down for a while",
      "March forward",
      "I have 2 kids and 7/4 of a cake",
      "I may go",
      "We had him for 10 years",
      "I enjoy it after a day of volunteering",
      "Haven't talked in a few days",
      "",
    ])
      expect(resolveRelativeDates(text, MONDAY)).toEqual({ text, dates: [] });
  });

  it("resolves an abbreviated weekday after last/next, with no other date word in the text", () => {
    // The cheap pre-check once let such text through only when some word happened to contain
    // "now" or "mar" ("know", "market").
    expect(
      resolveRelativeDates("I made an appointment with a behaviorist last Wed.", "2023-05-08T13:56:00Z").text,
    ).toBe("I made an appointment with a behaviorist last Wed. [3 May 2023]");
    expect(resolveRelativeDates("I know the market well.", "2023-05-08T13:56:00Z").dates).toEqual([]);
  });

  it("is idempotent", () => {
    const once = annotate("I went there yesterday and will go next Friday");
    expect(once).toBe("I went there yesterday [7 May 2023] and will go next Friday [19 May 2023]");
    expect(annotate(once)).toBe(once);
  });

  it("accepts LoCoMo times and rejects unparseable ones", () => {
    expect(annotate("yesterday", "1:56 pm on 8 May, 2023")).toBe("yesterday [7 May 2023]");
    expect(() => resolveRelativeDates("yesterday", "someday")).toThrow(InvalidInputError);
  });
});

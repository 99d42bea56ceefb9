/**
 * Relative dates → absolute ones, without an LLM. "I went there yesterday", said on 8 May 2023,
 * becomes "I went there yesterday [7 May 2023]": the phrase stays as written (provenance and
 * tone), the absolute date follows it in brackets, so a later question about "7 May" or "May
 * 2023" finds the memory by keyword and by embedding.
 *
 * Only relative or incomplete expressions are annotated ("yesterday", "last week", "two days
 * ago", "next month", "on Friday", "Dec 25"); explicit absolute dates ("8 May 2023",
 * "2023-05-01") are left alone, and so is anything that resolves to the reference day itself
 * ("today", "tonight", "now"): the window header already shows that date. Times of day are not
 * annotated. Everything is computed in UTC, like the rest of the reader.
 *
 * Pronouns are not resolved here (or anywhere in fast mode): rewriting "I"/"my" needs to know
 * who speaks and what the sentence means. Fast mode keeps the `Speaker:` prefix on every line
 * instead, which tells a reader (or an LLM) who "I" is.
 *
 * @module
 */
import { createRequire } from "node:module";
import type { ParsedResult } from "chrono-node";
import { InvalidInputError } from "../core/errors/index.js";
import { DAY_MS, parseChatTime } from "../core/time.js";
import { MONTHS, splitSentences } from "./text.js";

/** How precise an annotation is: a day, a week (Monday-based), a weekend, a month or a year. */
export type DateGranularity = "day" | "week" | "weekend" | "month" | "year";

export interface ResolvedDate {
  /** The expression as written, e.g. "yesterday". */
  phrase: string;
  /** Start of the period it names, as an ISO instant (UTC midnight): "2023-05-07T00:00:00.000Z". */
  iso: string;
  granularity: DateGranularity;
  /** The text put in brackets after the phrase: "7 May 2023", "week of 1 May 2023", "June 2023". */
  label: string;
  /** Offset of the phrase in the input text. */
  index: number;
}

export interface ResolvedText {
  /** The text with ` [label]` inserted after each resolved phrase. */
  text: string;
  dates: ResolvedDate[];
}

interface ChronoEn {
  casual: {
    parse(
      text: string,
      ref: { instant: Date; timezone: number },
      opt?: { forwardDate?: boolean },
    ): ParsedResult[];
  };
}

// chrono's English parser costs ~30 ms to load: load it on first use, like the tokenizer.
let chrono: ChronoEn | undefined;
function getChrono(): ChronoEn {
  if (!chrono) chrono = createRequire(import.meta.url)("chrono-node/en") as ChronoEn;
  return chrono;
}

/** A modifier that makes a weekday or month relative on its own ("last Friday", "next month"). */
const MODIFIER = /\b(last|next|this|past|previous|coming|following|upcoming)\b/i;
/** "last week", "next week": the whole week, not the day exactly seven days away. */
const WEEK_PHRASE = /^(the\s+)?(last|next|this|past|previous|coming|following|upcoming)\s+week$/i;
/** Three-letter weekdays alone are mostly words ("Sun", "Sat", "Wed"), not dates. */
const ABBREVIATED_WEEKDAY =
  /^(?:(?:on|by|until|till|since|from)\s+)?(sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)\.?$/i;
const DURATION = /^(for|after|over|within|during)\s/i;
const VAGUE = /\b(few|several|couple|some)\b/i;
/** Sentence cues for which way a bare weekday or a yearless date points. */
const FUTURE_CUE =
  /\b(will|won't|shall|gonna|going to|plan(s|ning)? to|want to|hope to|can't wait|looking forward|excited|tomorrow|upcoming|coming|next|until|till|soon)\b|'ll\b/i;
const PAST_CUE = /\b(was|were|went|did|had|got|ago|yesterday|last|already|just|since)\b|\b[a-z]{3,}ed\b/i;

function isRelative(r: ParsedResult): boolean {
  for (const tag of r.tags())
    if (
      tag.startsWith("result/relativeDate") ||
      tag.startsWith("casualReference/") ||
      tag === "parser/ENCasualDateParser"
    )
      return true;
  return false;
}

function granularityOf(r: ParsedResult): DateGranularity | null {
  const text = r.text.trim();
  const c = r.start;
  if (WEEK_PHRASE.test(text)) return "week";
  if (/\bweekend\b/i.test(text)) return "weekend";
  if (c.isCertain("day") || c.isCertain("weekday")) return "day";
  if (c.isCertain("month")) return "month";
  if (c.isCertain("year")) return "year";
  return null; // a time of day only ("at 3pm", "this morning")
}

const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);
const dayLabel = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;

/** The period containing `day` ([start, end)) and its label. Weeks start on Monday; weekends on Saturday. */
function period(day: Date, g: DateGranularity): { start: Date; end: Date; label: string } {
  switch (g) {
    case "day":
      return { start: day, end: addDays(day, 1), label: dayLabel(day) };
    case "week": {
      const monday = addDays(day, -((day.getUTCDay() + 6) % 7));
      return { start: monday, end: addDays(monday, 7), label: `week of ${dayLabel(monday)}` };
    }
    case "weekend": {
      const saturday = day.getUTCDay() === 0 ? addDays(day, -1) : addDays(day, (6 - day.getUTCDay()) % 7);
      return { start: saturday, end: addDays(saturday, 2), label: `weekend of ${dayLabel(saturday)}` };
    }
    case "month": {
      const y = day.getUTCFullYear();
      const m = day.getUTCMonth() + 1;
      return { start: utcDay(y, m, 1), end: utcDay(y, m + 1, 1), label: `${MONTHS[m - 1]} ${y}` };
    }
    case "year": {
      const y = day.getUTCFullYear();
      return { start: utcDay(y, 1, 1), end: utcDay(y + 1, 1, 1), label: String(y) };
    }
  }
}

/** The calendar day chrono resolved (certain or implied components; the reference zone is UTC). */
function dayOf(r: ParsedResult["start"]): Date | null {
  const y = r.get("year");
  const m = r.get("month");
  const d = r.get("day");
  return y === null || m === null || d === null ? null : utcDay(y, m, d);
}

/** The sentence of `text` around offset `at`, for tense cues. */
function sentenceAt(sentences: { start: number; text: string }[], at: number): string {
  let found = "";
  for (const s of sentences) {
    if (s.start > at) break;
    found = s.text;
  }
  return found;
}

// A reader annotates every piece of a message against the same time: parse it once.
let lastRef: { iso: string; time: string | null } | undefined;
function parseRef(iso: string): string | null {
  if (lastRef?.iso !== iso) lastRef = { iso, time: parseChatTime(iso) };
  return lastRef.time;
}

/** Words chrono reads as (part of) a date: weekdays end in "day"; the rest must be whole words. */
const MAY_HOLD_DATE =
  /\d|day|\b(?:weeks?|weekends?|months?|years?|ago|tomorrow|tonight|night|now|jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sept?|september|oct|october|nov|november|dec|december|mon|tues?|wed|thu|thur|thurs|fri|sat|sun)\b/i;

/**
 * Annotate relative date expressions in `text` with the absolute date they mean, taking `refIso`
 * (the message's time) as "now". Returns the annotated text and what was resolved.
 *
 * Directions: "last"/"ago" point back and "next"/"in" forward, as chrono reads them ("next
 * Friday" is the Friday of next week). A bare weekday ("on Friday") or a date without a year
 * ("Dec 25") points forward in a sentence about the future ("will", "'ll", "going to", ...),
 * back in one about the past ("went", "was", "-ed"), else to the nearest one. Text already
 * annotated is left as it is, so applying this twice changes nothing.
 *
 * @example
 * resolveRelativeDates("I went there yesterday", "2023-05-08T13:56:00Z").text;
 * // "I went there yesterday [7 May 2023]"
 * resolveRelativeDates("See you next month!", "2023-05-08T13:56:00Z").dates;
 * // [{ phrase: "next month", iso: "2023-06-01T00:00:00.000Z", granularity: "month", label: "June 2023", index: 8 }]
 */
export function resolveRelativeDates(text: string, refIso: string): ResolvedText {
  const refTime = parseRef(refIso);
  if (!refTime)
    throw new InvalidInputError({
      message: `reference time "${refIso}" is not a valid time`,
      hint: "use ISO-8601, e.g. 2023-05-08T13:56:00Z",
    });
  // Cheap exit: no digit and no word chrono could read as a date (chrono is most of a fast add's
  // reading time). Whole words, so "know" or "market" do not pass for "now" or "mar".
  if (!MAY_HOLD_DATE.test(text)) return { text, dates: [] };
  const ref = new Date(refTime);
  const refDay = utcDay(ref.getUTCFullYear(), ref.getUTCMonth() + 1, ref.getUTCDate());
  const reference = { instant: ref, timezone: 0 };
  const results = getChrono().casual.parse(text, reference);
  if (!results.length) return { text, dates: [] };

  let offset = 0;
  const sentences = splitSentences(text).map((s) => {
    const out = { start: offset, text: s };
    offset += s.length;
    return out;
  });

  const dates: ResolvedDate[] = [];
  for (const r of results) {
    const phrase = r.text;
    if (!/\p{L}/u.test(phrase) || ABBREVIATED_WEEKDAY.test(phrase.trim())) continue;
    // "for 3 years", "after a day": how long, not when.
    if (DURATION.test(phrase)) continue;
    const g = granularityOf(r);
    if (!g) continue;
    const c = r.start;
    const relative = isRelative(r);
    const modified = MODIFIER.test(phrase);
    // Explicit absolute dates are already what we would write.
    if (!relative && c.isCertain("year") && c.isCertain("month") && c.isCertain("day")) continue;
    // A month name alone ("March on", "in June") is too often not a date, or not worth one.
    if (g === "month" && !relative && !modified) continue;
    if (text.slice(r.index + phrase.length).match(/^\s*\[[^\]\n]*\d{4}\]/)) continue; // annotated already

    let day = dayOf(c);
    const sentence = sentenceAt(sentences, r.index);
    const future = FUTURE_CUE.test(sentence);
    const past = !future && PAST_CUE.test(sentence);
    // "haven't talked in a few days": "in" + a span in a sentence about the past is a duration.
    if (past && /^in\s/i.test(phrase) && relative) continue;
    const bareWeekday =
      (g === "day" || g === "weekend") && c.isCertain("weekday") && !c.isCertain("day") && !modified;
    if (g === "week") {
      // chrono starts "this week" on a Sunday; ours start on Monday, so count from the day itself.
      const dir = /\b(last|past|previous)\b/i.test(phrase) ? -1 : /\bthis\b/i.test(phrase) ? 0 : 1;
      day = addDays(refDay, 7 * dir);
    } else if (bareWeekday && !r.end && (future || past)) {
      const wd = g === "weekend" ? 6 : (c.get("weekday") ?? 0);
      const refDow = refDay.getUTCDay();
      day = future ? addDays(refDay, (wd - refDow + 7) % 7 || 7) : addDays(refDay, -((refDow - wd + 7) % 7));
    } else if (future && !relative && !modified && !c.isCertain("year") && c.isCertain("month")) {
      // "Dec 25" in a sentence about the future: the next one.
      const fwd = getChrono().casual.parse(phrase, reference, { forwardDate: true })[0];
      day = (fwd && dayOf(fwd.start)) ?? day;
    }
    if (!day) continue;
    const { start, end, label: startLabel } = period(day, g);
    // "today", "tonight", "this week": the period holds the message's own day, which the header shows.
    if (!r.end && start <= refDay && refDay < end) continue;
    // "a few weeks ago" names no exact day.
    let label = VAGUE.test(phrase) ? `around ${startLabel}` : startLabel;
    const endDay = r.end ? dayOf(r.end) : null;
    if (endDay) {
      const endLabel = period(endDay, g).label;
      if (endLabel !== startLabel) label = `${label} – ${endLabel}`;
    }
    dates.push({ phrase, iso: start.toISOString(), granularity: g, label, index: r.index });
  }

  let out = "";
  let at = 0;
  for (const d of dates) {
    const end = d.index + d.phrase.length;
    out += `${text.slice(at, end)} [${d.label}]`;
    at = end;
  }
  out += text.slice(at);
  return { text: out, dates };
}

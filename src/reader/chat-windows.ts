/**
 * Chat windowing shared by the fast and fine readers: messages → turns (one per message, or per
 * piece of a message too long for a window) → token-bounded windows with overlap → rendered text
 * and provenance. The fast reader stores a window as it is; the fine reader sends it to an LLM.
 *
 * @module
 */
import { InvalidInputError } from "../core/errors/index.js";
import { newId } from "../core/ids.js";
import type { SourceMessage, TextualMemoryItem } from "../core/schema/memory.js";
import { parseChatTime } from "../core/time.js";
import type { ChatMessage } from "./chat-schema.js";
import { baseMetadata, type ResolvedSizes } from "./common.js";
import { resolveRelativeDates } from "./dates.js";
import {
  firstWords,
  fitsWhole,
  formatClock,
  formatStamp,
  MIN_PIECE_TOKENS,
  sameUtcDate,
  splitToFit,
} from "./text.js";
import { countTokens } from "./tokens.js";
import type { ReadContext } from "./types.js";

/** One rendered line of a window: a whole message, or one piece of a message too long for a window. */
export interface Turn {
  role: string;
  speaker: string;
  messageId: string;
  time: string;
  /** The input gave only a date (no clock), so none is shown. */
  dateOnly: boolean;
  /** The piece as written (trimmed); goes to the source. */
  content: string;
  /** The piece on one line, relative dates annotated when asked; goes to the memory text. */
  line: string;
  /** Tokens of `speaker: line`, for the overlap budget. */
  tokens: number;
}

/** A window of consecutive turns; `turns.slice(firstNew)` were not in the previous window. */
export interface ChatWindow {
  turns: Turn[];
  firstNew: number;
}

const HOUR_MS = 3_600_000;
/** Silence this long between two turns ends a conversation episode. */
const SESSION_GAP_MS = 4 * HOUR_MS;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const isDateOnly = (raw: string | undefined) => raw !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(raw.trim());
// Most lines have single spaces only: returned as they are, not rebuilt by replace.
const oneLine = (s: string) => (/\s\s|[^\S ]/.test(s) ? s.replace(/\s+/g, " ") : s);

/**
 * Render a window: an absolute time header, then `Speaker: content` per turn. A turn whose time
 * is a different day from the last shown time, or an hour or more away from it, gets its own
 * `[time]` prefix, so the text never implies a wrong time (exact times stay in the sources).
 */
export function renderLines(turns: readonly Turn[]): string[] {
  const first = turns[0];
  if (!first) return [];
  const lines = new WindowLines(first);
  for (const t of turns) lines.push(t);
  return lines.lines;
}

/** renderLines one turn at a time: a turn's line depends only on the turns before it. */
class WindowLines {
  readonly lines: string[];
  private shown: Turn;

  constructor(first: Turn) {
    this.lines = [formatStamp(first.time, first.dateOnly)];
    this.shown = first;
  }

  push(t: Turn): string {
    const shown = this.shown;
    let prefix = "";
    if (!sameUtcDate(t.time, shown.time)) {
      prefix = `[${formatStamp(t.time, t.dateOnly)}] `;
      this.shown = t;
    } else if (
      !t.dateOnly &&
      (shown.dateOnly || Math.abs(Date.parse(t.time) - Date.parse(shown.time)) >= HOUR_MS)
    ) {
      prefix = `[${formatClock(t.time)}] `;
      this.shown = t;
    }
    const line = `${prefix}${t.speaker}: ${t.line}`;
    this.lines.push(line);
    return line;
  }
}

export const renderWindow = (turns: readonly Turn[]) => renderLines(turns).join("\n");

/**
 * splitToFit, then split again any piece that `measure` still puts over `limit`: date
 * annotations lengthen a piece by more than its own token count predicts.
 */
function fitPieces(text: string, limit: number, measure: (p: string) => number, cap?: number): string[] {
  const out: string[] = [];
  for (const piece of splitToFit(text, limit, measure, cap)) {
    const excess = measure(piece) - limit;
    const own = countTokens(piece);
    if (excess <= 0 || own <= MIN_PIECE_TOKENS) {
      out.push(piece);
      continue;
    }
    const finer = fitPieces(piece, limit, measure, Math.max(MIN_PIECE_TOKENS, own - excess));
    // No finer split exists (one long word): keep it rather than loop.
    if (finer.length === 1 && finer[0] === piece) out.push(piece);
    else out.push(...finer);
  }
  return out;
}

export interface TurnOptions {
  sizes: ResolvedSizes;
  /** Annotate relative dates in each line (fast mode); the sources keep the words as written. */
  resolveDates: boolean;
}

/**
 * Validated messages → turns. Untimed messages take the previous message's time (the first one,
 * ctx.now); messages too long for a window are split so each piece fits alone, counted after
 * date annotation.
 */
export function chatTurns(msgs: ChatMessage[], ctx: ReadContext, now: string, opts: TurnOptions): Turn[] {
  const turns: Turn[] = [];
  const session = ctx.sessionId ?? "chat";
  let prevTime: string | undefined;
  let prevDateOnly = false;
  msgs.forEach((m, i) => {
    const parsed = parseChatTime(m.chat_time);
    if (m.chat_time !== undefined && !parsed)
      throw new InvalidInputError({
        message: `messages[${i}].chat_time "${m.chat_time}" is not a recognised time`,
        hint: 'use ISO-8601 ("2023-05-08T13:56:00Z") or "1:56 pm on 8 May, 2023"',
      });
    // Untimed messages were said after the previous one; with none before, at the add time.
    const time = parsed ?? prevTime ?? now;
    const dateOnly = parsed ? isDateOnly(m.chat_time) : prevTime ? prevDateOnly : false;
    prevTime = time;
    prevDateOnly = dateOnly;
    const speaker = m.speaker?.trim() || capitalise(m.role.trim());
    const messageId = m.message_id ?? `${session}:${i}`;
    // Splitting measures the same pieces more than once; chrono is the costly part.
    const rendered = new Map<string, string>();
    const render = (piece: string) => {
      if (!opts.resolveDates) return oneLine(piece);
      let line = rendered.get(piece);
      if (line === undefined) {
        line = resolveRelativeDates(oneLine(piece), time).text;
        rendered.set(piece, line);
      }
      return line;
    };
    const stamp = formatStamp(time, dateOnly);
    const prefix = `${stamp}\n${speaker}: `;
    // `stamp\nSpeaker: line` counts as the stamp, the newline and `Speaker: line` (counted for
    // the turn anyway): cl100k pre-splits a newline between a letter or digit and a name that
    // starts with one. Other names are counted joined.
    const headerTokens = /^[\p{L}\p{N}]/u.test(speaker) ? countTokens(stamp) + 1 : undefined;
    const alone = (piece: string) =>
      headerTokens === undefined
        ? countTokens(prefix + render(piece))
        : headerTokens + countTokens(`${speaker}: ${render(piece)}`);
    const { windowTokens, maxMessageTokens } = opts.sizes;
    const pieces = fitsWhole(m.content, windowTokens, alone, maxMessageTokens)
      ? [m.content.trim()]
      : fitPieces(m.content, windowTokens, alone, maxMessageTokens);
    for (const piece of pieces) {
      let line = render(piece);
      // A short piece dense with dates in a tiny window: annotations are a help, the window a limit.
      if (opts.resolveDates && alone(piece) > windowTokens) line = oneLine(piece);
      turns.push({
        role: m.role,
        speaker,
        messageId,
        time,
        dateOnly,
        content: piece,
        line,
        tokens: countTokens(`${speaker}: ${line}`),
      });
    }
  });
  return turns;
}

/**
 * Pack turns into windows of at most `windowTokens` (header included), each window repeating
 * the trailing turns of the previous one within `overlapTokens`. A window never spans a gap of
 * hours between turns (a new conversation), so its header time holds for all of it.
 */
export function packWindows(turns: Turn[], sizes: ResolvedSizes): ChatWindow[] {
  const { windowTokens, overlapTokens } = sizes;
  const windows: ChatWindow[] = [];
  // Line-by-line counts summed (plus one per newline) bound the count of the joined text from
  // above in practice: BPE only merges a newline into the punctuation before it. So a window
  // whose bound fits needs no full re-encoding; each emitted window is still checked exactly.
  // The lines from one start are rendered and counted once, as the window grows turn by turn
  // (re-rendering all of them for every added turn made packing quadratic in the window).
  let from = -1;
  let rendered: WindowLines | undefined;
  const bounds: number[] = []; // bounds[k]: the header and the first k lines
  /** Render and count the lines of turns[start, end); returns the window's text, built on demand. */
  const linesOf = (start: number, end: number) => {
    if (start !== from || !rendered) {
      from = start;
      rendered = new WindowLines(turns[start] as Turn);
      bounds.length = 0;
      bounds.push(countTokens(rendered.lines[0] as string));
    }
    while (bounds.length <= end - start) {
      const line = rendered.push(turns[start + bounds.length - 1] as Turn);
      bounds.push((bounds[bounds.length - 1] as number) + countTokens(line) + 1);
    }
    const lines = rendered.lines;
    return () => lines.slice(0, end - start + 1).join("\n");
  };
  const fits = (start: number, end: number) => {
    const text = linesOf(start, end);
    return (bounds[end - start] as number) <= windowTokens || countTokens(text()) <= windowTokens;
  };
  const fitsExactly = (start: number, end: number) => countTokens(linesOf(start, end)()) <= windowTokens;
  const gapBefore = (i: number) => {
    const a = turns[i - 1];
    const b = turns[i];
    return a !== undefined && b !== undefined && Date.parse(b.time) - Date.parse(a.time) >= SESSION_GAP_MS;
  };

  let start = 0;
  let prevEnd = 0;
  while (start < turns.length) {
    let end = start + 1; // a window always takes at least one turn
    while (end < turns.length && !gapBefore(end) && fits(start, end + 1)) end++;
    while (end > Math.max(start + 1, prevEnd + 1) && !fitsExactly(start, end)) end--;
    windows.push({ turns: turns.slice(start, end), firstNew: Math.max(0, prevEnd - start) });
    if (end >= turns.length) break;
    // Overlap: repeat the trailing turns that fit the budget, but never restart at `start`;
    // none across a conversation gap (a new session starts a fresh window).
    let next = end;
    let used = 0;
    while (!gapBefore(end) && next - 1 > start && used + (turns[next - 1]?.tokens ?? 0) <= overlapTokens) {
      used += turns[next - 1]?.tokens ?? 0;
      next--;
    }
    // Keep room for at least one new turn, so every window makes progress.
    while (next < end && !fits(next, end + 1)) next++;
    prevEnd = end;
    start = next;
  }
  return windows;
}

/** Provenance of a window: one chat source per turn, content as written. */
export function windowSources(turns: readonly Turn[]): SourceMessage[] {
  return turns.map((t) => ({
    type: "chat",
    role: t.role,
    speaker: t.speaker,
    chat_time: t.time,
    message_id: t.messageId,
    content: t.content,
  }));
}

/** Back from turns to messages (same ids, times and speakers), e.g. to re-read a window at other sizes. */
export function turnsToMessages(turns: readonly Turn[]): ChatMessage[] {
  return turns.map((t) => ({
    role: t.role,
    speaker: t.speaker,
    content: t.content,
    chat_time: t.dateOnly ? t.time.slice(0, 10) : t.time,
    message_id: t.messageId,
  }));
}

/** The fast memory item of a window: its rendered text, speakers as tags, turns as sources. */
export function fastWindowItem(win: ChatWindow, ctx: ReadContext, now: string): TextualMemoryItem {
  const turns = win.turns;
  const first = turns[0] as Turn;
  const fresh = turns.slice(win.firstNew);
  // Key from the wordiest new turn: greetings are short, facts tend to be long.
  const words = (t: Turn) => oneLine(t.content).split(" ").length;
  let keyTurn = fresh[0] ?? first;
  let most = words(keyTurn);
  for (const t of fresh) {
    const w = words(t);
    if (w > most) {
      keyTurn = t;
      most = w;
    }
  }
  const speakerTags = [
    ...new Set(turns.map((t) => `speaker:${t.speaker.toLowerCase().replace(/\s+/g, " ")}`)),
  ];
  return {
    id: newId(),
    memory: renderWindow(turns),
    metadata: {
      ...baseMetadata(ctx, now),
      type: "fact",
      memory_type: turns.every((t) => t.role.trim().toLowerCase() === "user")
        ? "UserMemory"
        : "LongTermMemory",
      // From the words as written: date annotations would crowd a short label.
      key: `${keyTurn.speaker}: ${firstWords(keyTurn.content, 8)}`, // splits on any whitespace
      tags: ["mode:fast", ...speakerTags],
      source: "conversation",
      sources: windowSources(turns),
      valid_at: first.time,
    },
  };
}

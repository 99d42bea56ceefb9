import { InvalidInputError } from "../core/errors/index.js";
import { newId } from "../core/ids.js";
import type { SourceMessage, TextualMemoryItem } from "../core/schema/memory.js";
import { parseChatTime } from "../core/time.js";
import { type ChatMessage, validateChatMessages } from "./chat-schema.js";
import { baseMetadata, type ResolvedSizes, resolveNow, resolveSizes } from "./common.js";
import { readDocument } from "./document.js";
import { firstWords, formatClock, formatStamp, sameUtcDate, splitToFit } from "./text.js";
import { countTokens } from "./tokens.js";
import type { DocumentReadOptions, FastReaderOptions, MemReader, ReadContext } from "./types.js";

/** One rendered line of a window: a whole message, or one piece of a message too long for a window. */
interface Turn {
  role: string;
  speaker: string;
  messageId: string;
  time: string;
  /** The input gave only a date (no clock), so none is shown. */
  dateOnly: boolean;
  /** The piece as written (trimmed); goes to the source. */
  content: string;
  /** The piece on one line; goes to the memory text. */
  line: string;
  /** Tokens of `speaker: line`, for the overlap budget. */
  tokens: number;
}

const HOUR_MS = 3_600_000;
/** Silence this long between two turns ends a conversation episode. */
const SESSION_GAP_MS = 4 * HOUR_MS;

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const isDateOnly = (raw: string | undefined) => raw !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(raw.trim());

/**
 * Render a window: an absolute time header, then `Speaker: content` per turn. A turn whose time
 * is a different day from the last shown time, or an hour or more away from it, gets its own
 * `[time]` prefix, so the text never implies a wrong time (exact times stay in the sources).
 */
function renderLines(turns: readonly Turn[]): string[] {
  const first = turns[0];
  if (!first) return [];
  const lines = [formatStamp(first.time, first.dateOnly)];
  let shown = first;
  for (const t of turns) {
    let prefix = "";
    if (!sameUtcDate(t.time, shown.time)) {
      prefix = `[${formatStamp(t.time, t.dateOnly)}] `;
      shown = t;
    } else if (
      !t.dateOnly &&
      (shown.dateOnly || Math.abs(Date.parse(t.time) - Date.parse(shown.time)) >= HOUR_MS)
    ) {
      prefix = `[${formatClock(t.time)}] `;
      shown = t;
    }
    lines.push(`${prefix}${t.speaker}: ${t.line}`);
  }
  return lines;
}

const renderWindow = (turns: readonly Turn[]) => renderLines(turns).join("\n");

/**
 * The fast (LLM-free) MemReader: packs consecutive chat turns into token windows with overlap,
 * each rendered with speakers and absolute times; documents into heading-aware chunks.
 * Output is deterministic apart from ids and created_at/updated_at (and valid_at when neither
 * the messages nor `ctx.now` give a time).
 *
 * Windows never exceed `windowTokens` (cl100k, header included), except in one impossible case:
 * a speaker name so long that the header and name alone leave fewer than 8 tokens for content.
 *
 * @example
 * const reader = new FastMemReader({ windowTokens: 192, overlapTokens: 48 });
 * const items = reader.readChat(
 *   [{ role: "user", speaker: "Caroline", content: "I went to a support group.", chat_time: "1:56 pm on 8 May, 2023" }],
 *   { userId: "u1", sessionId: "s1", cubeId: "c1" },
 * );
 * items[0].memory; // "Monday 8 May 2023, 1:56 pm UTC\nCaroline: I went to a support group."
 */
export class FastMemReader implements MemReader {
  readonly mode = "fast" as const;
  readonly sizes: Readonly<ResolvedSizes>;

  constructor(options: FastReaderOptions = {}) {
    this.sizes = resolveSizes(options);
  }

  /**
   * Chat messages → memory items, one per window. Messages are validated first (InvalidInputError
   * naming the first bad position); an empty list is an error, not a silent no-op.
   *
   * @example
   * new FastMemReader().readChat([{ role: "user", content: "I like tea" }], { now: "2024-01-01T09:00:00Z" });
   */
  readChat(messages: ChatMessage[], ctx: ReadContext = {}): TextualMemoryItem[] {
    const msgs = validateChatMessages(messages);
    const now = resolveNow(ctx);
    const turns = this.toTurns(msgs, ctx, now);
    const items: TextualMemoryItem[] = [];
    const { windowTokens, overlapTokens } = this.sizes;
    // Line-by-line counts summed (plus one per newline) bound the count of the joined text from
    // above in practice: BPE only merges a newline into the punctuation before it. So a window
    // whose bound fits needs no full re-encoding; each emitted window is still checked exactly.
    const lineTokens = new Map<string, number>();
    const bound = (lines: string[]) =>
      lines.reduce((n, l) => {
        const c = lineTokens.get(l) ?? countTokens(l);
        lineTokens.set(l, c);
        return n + c + 1;
      }, -1);
    const fits = (from: number, to: number) => {
      const lines = renderLines(turns.slice(from, to));
      return bound(lines) <= windowTokens || countTokens(lines.join("\n")) <= windowTokens;
    };
    const fitsExactly = (from: number, to: number) =>
      countTokens(renderWindow(turns.slice(from, to))) <= windowTokens;

    // Turns hours apart belong to different conversations: a window never spans such a gap, so
    // its header time (and valid_at) is right for everything in it.
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
      items.push(this.toItem(turns.slice(start, end), Math.max(0, prevEnd - start), ctx, now));
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
    return items;
  }

  /**
   * A Markdown or plain-text document → chunk items (see `readDocument` in document.ts).
   *
   * @example
   * new FastMemReader().readDocument("# Setup\n\n## Install\n\nRun npm install.", { docPath: "README.md" });
   */
  readDocument(text: string, opts: DocumentReadOptions = {}, ctx: ReadContext = {}): TextualMemoryItem[] {
    return readDocument(text, opts, ctx, this.sizes);
  }

  private toTurns(msgs: ChatMessage[], ctx: ReadContext, now: string): Turn[] {
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
      for (const piece of this.splitMessage(m.content, speaker, time, dateOnly)) {
        const line = piece.replace(/\s+/g, " ");
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

  /** A message as one piece, or split on sentences/words/tokens so each piece fits a window alone. */
  private splitMessage(content: string, speaker: string, time: string, dateOnly: boolean): string[] {
    const prefix = `${formatStamp(time, dateOnly)}\n${speaker}: `;
    const alone = (piece: string) => countTokens(prefix + piece.replace(/\s+/g, " "));
    return splitToFit(content, this.sizes.windowTokens, alone, this.sizes.maxMessageTokens);
  }

  private toItem(win: Turn[], firstNew: number, ctx: ReadContext, now: string): TextualMemoryItem {
    const first = win[0] as Turn;
    const fresh = win.slice(firstNew);
    // Key from the wordiest new turn: greetings are short, facts tend to be long.
    const keyTurn = fresh.reduce(
      (best, t) => (t.line.split(" ").length > best.line.split(" ").length ? t : best),
      fresh[0] ?? first,
    );
    const speakerTags = [
      ...new Set(win.map((t) => `speaker:${t.speaker.toLowerCase().replace(/\s+/g, " ")}`)),
    ];
    const sources: SourceMessage[] = win.map((t) => ({
      type: "chat",
      role: t.role,
      speaker: t.speaker,
      chat_time: t.time,
      message_id: t.messageId,
      content: t.content,
    }));
    return {
      id: newId(),
      memory: renderWindow(win),
      metadata: {
        ...baseMetadata(ctx, now),
        type: "fact",
        memory_type: win.every((t) => t.role.trim().toLowerCase() === "user")
          ? "UserMemory"
          : "LongTermMemory",
        key: `${keyTurn.speaker}: ${firstWords(keyTurn.line, 8)}`,
        tags: ["mode:fast", ...speakerTags],
        source: "conversation",
        sources,
        valid_at: first.time,
      },
    };
  }
}

import { z } from "zod";
import { errorMessage } from "../core/errors/error-message.js";
import { InvalidInputError } from "../core/errors/index.js";
import { checkMessageSize, checkRequestSize } from "./limits.js";

const nonBlank = (what: string) =>
  z.string({ error: `must be ${what}` }).refine((s) => s.trim().length > 0, { error: `must be ${what}` });
const optionalString = z.string({ error: "must be a string" }).optional();
// Ids are often numeric in exported datasets; accept them and keep them as strings.
const optionalId = z
  .union([z.string(), z.number()], { error: "must be a string or a number" })
  .transform(String)
  .optional();

/**
 * One chat turn as callers and chat files give it. `role` is usually "user", "assistant" or
 * "system" but any non-empty string is kept; `speaker` is the person's name when known
 * (LoCoMo: "Caroline"); `chat_time` is ISO-8601 or LoCoMo's "1:56 pm on 8 May, 2023".
 *
 * @example
 * ChatMessage.parse({ role: "user", content: "I moved to Berlin", chat_time: "2023-05-08T13:56:00Z" });
 */
export const ChatMessage = z.object(
  {
    role: nonBlank('a non-empty string such as "user" or "assistant"'),
    content: nonBlank("a non-empty string"),
    chat_time: optionalString,
    speaker: optionalString,
    message_id: optionalId,
  },
  { error: 'must be an object like {"role": "user", "content": "..."}' },
);
export type ChatMessage = z.infer<typeof ChatMessage>;
/** A chat message as callers write it (before defaults and validation). */
export type ChatMessageInput = z.input<typeof ChatMessage>;

const MessageList = z
  .array(ChatMessage, { error: "must be an array of messages" })
  .min(1, { error: "must contain at least one message" });

const SessionSchema = z.object(
  {
    session_id: optionalId,
    chat_time: optionalString,
    date: optionalString,
    messages: MessageList,
  },
  { error: 'must be an object like {"session_id": "s1", "messages": [...]}' },
);

/** A conversation session from a chat file; its messages already carry the session's time. */
export interface ChatSession {
  session_id?: string;
  chat_time?: string;
  messages: ChatMessage[];
}

/** Shown with every chat-file error, so the user sees what would have been accepted. */
export const CHAT_FILE_HINT =
  'accepted shapes: [{"role": "user", "content": "...", "chat_time"?: "2023-05-08T13:56:00Z", "speaker"?: "...", "message_id"?: "..."}], ' +
  '{"messages": [...]}, or sessions [{"session_id"?: "s1", "chat_time"?: "...", "messages": [...]}]';

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

function fail(where: string | undefined, message: string): never {
  throw new InvalidInputError({ message: where ? `${where}: ${message}` : message, hint: CHAT_FILE_HINT });
}

function check<T>(schema: z.ZodType<T>, value: unknown, prefix: string, where?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Zod reports issues in input order, so the first one names the first bad position.
  const issue = result.error.issues[0];
  return fail(where, issue ? `${formatPath(prefix, issue.path)} ${issue.message}` : `${prefix} is invalid`);
}

/**
 * Validate an in-memory list of chat messages; throws InvalidInputError naming the first bad
 * position, e.g. "messages[3].content must be a non-empty string".
 *
 * @example
 * const msgs = validateChatMessages([{ role: "user", content: "hi" }]);
 */
export function validateChatMessages(value: unknown, label = "messages"): ChatMessage[] {
  return checkSizes(check(MessageList, value, label), label);
}

/**
 * Refuse a message over MAX_MESSAGE_BYTES, or messages over MAX_REQUEST_BYTES together (see
 * limits.ts), before any reading starts.
 */
function checkSizes(messages: ChatMessage[], label: string, where?: string): ChatMessage[] {
  const prefix = where ? `${where}: ` : "";
  messages.forEach((m, i) => {
    checkMessageSize(m.content, `${prefix}${label}[${i}].content`);
  });
  checkRequestSize(
    messages.map((m) => m.content),
    where ?? `these ${messages.length} messages`,
  );
  return messages;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parse a chat file into sessions. Accepts a JSON array of messages, `{messages: [...]}`, or a
 * list of sessions `[{session_id?, chat_time? | date?, messages: [...]}]`; a message without a
 * `chat_time` inherits its session's. Malformed input throws InvalidInputError that names the
 * first bad position and shows the accepted shapes in its hint.
 *
 * @example
 * parseChatSessions('[{"session_id":"s1","date":"2023-05-08","messages":[{"role":"user","content":"hi"}]}]');
 * // [{ session_id: "s1", chat_time: "2023-05-08", messages: [{ role: "user", content: "hi", chat_time: "2023-05-08" }] }]
 */
export function parseChatSessions(text: string, path?: string): ChatSession[] {
  const sessions = parseSessions(text, path);
  checkSizes(
    sessions.flatMap((s) => s.messages),
    "messages",
    path ? `file ${path}` : "the chat file",
  );
  return sessions;
}

function parseSessions(text: string, path?: string): ChatSession[] {
  const where = path ? `file ${path}` : undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail(where, `is not valid JSON (${errorMessage(e)})`);
  }
  if (Array.isArray(data)) {
    if (data.length > 0 && isRecord(data[0]) && "messages" in data[0]) {
      const sessions = check(z.array(SessionSchema), data, "sessions", where);
      return sessions.map((s) => {
        const time = s.chat_time ?? s.date;
        return {
          ...(s.session_id !== undefined ? { session_id: s.session_id } : {}),
          ...(time !== undefined ? { chat_time: time } : {}),
          messages: s.messages.map((m) =>
            m.chat_time === undefined && time !== undefined ? { ...m, chat_time: time } : m,
          ),
        };
      });
    }
    return [{ messages: check(MessageList, data, "messages", where) }];
  }
  if (isRecord(data) && "messages" in data)
    return [{ messages: check(MessageList, data.messages, "messages", where) }];
  return fail(
    where,
    'must be a JSON array of messages, an object with a "messages" array, or a list of sessions',
  );
}

/**
 * Parse a chat file into one flat list of messages (sessions concatenated in order). See
 * `parseChatSessions` for the accepted shapes.
 *
 * @example
 * parseChatFile('{"messages":[{"role":"user","content":"I like tea"}]}', "chat.json");
 * // [{ role: "user", content: "I like tea" }]
 */
export function parseChatFile(text: string, path?: string): ChatMessage[] {
  return parseChatSessions(text, path).flatMap((s) => s.messages);
}

/**
 * Decode file bytes as UTF-8, rejecting invalid sequences instead of silently inserting U+FFFD
 * (which would corrupt memories). A leading BOM is dropped.
 *
 * @example
 * decodeUtf8Strict(await readFile("chat.json"), "chat.json");
 */
export function decodeUtf8Strict(buf: Uint8Array, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch (e) {
    throw new InvalidInputError({
      message: `file ${path} is not valid UTF-8`,
      hint: "save it as UTF-8",
      cause: e,
    });
  }
}

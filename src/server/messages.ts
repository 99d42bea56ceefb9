import { InvalidInputError } from "../core/errors/invalid-input-error.js";
import type { ChatMessage } from "../reader/index.js";

/** A file a message carried (MemOS `input_file`), to go through the document reader. */
export interface CarriedFile {
  filename: string;
  data: Buffer;
}

type Part =
  | string
  | {
      type: string;
      text?: string;
      file_data?: string;
      filename?: string;
      file?: { file_data?: string; filename?: string; path?: string };
    };
type WireMessage = {
  role: string;
  content: string | Part[];
  chat_time?: string;
  speaker?: string;
  name?: string;
  message_id?: string | number;
};

/**
 * MemOS's `messages` as our chat turns and files: a plain string is one user message; a content
 * list's text parts (`text`, `input_text`) are joined, its file parts (`input_file`, `file`) are
 * returned as files. A file is accepted only with its content (`file_data`): the server never
 * reads a path of its own disk for a client.
 *
 * @example
 * toChat([{ role: "user", content: [{ type: "input_text", text: "I like tea" }] }]);
 * // { messages: [{ role: "user", content: "I like tea" }], files: [] }
 */
export function toChat(messages: string | WireMessage[]): { messages: ChatMessage[]; files: CarriedFile[] } {
  if (typeof messages === "string") return { messages: [{ role: "user", content: messages }], files: [] };
  const out: ChatMessage[] = [];
  const files: CarriedFile[] = [];
  messages.forEach((m, i) => {
    const parts = typeof m.content === "string" ? [m.content] : m.content;
    const texts: string[] = [];
    parts.forEach((p, j) => {
      if (typeof p === "string") texts.push(p);
      else if (p.type === "text" || p.type === "input_text") texts.push(p.text ?? "");
      else if (p.type === "input_file" || p.type === "file")
        files.push(fileOf(p, `messages[${i}].content[${j}]`));
      else
        throw new InvalidInputError({
          message: `messages[${i}].content[${j}]: unsupported content type "${p.type}"`,
          hint: "use text, input_text or input_file parts",
        });
    });
    const content = texts.join("\n").trim();
    if (content === "") return; // a message of files only
    out.push({
      role: m.role,
      content,
      ...(m.chat_time ? { chat_time: m.chat_time } : {}),
      ...(m.speaker || m.name ? { speaker: m.speaker ?? m.name } : {}),
      ...(m.message_id !== undefined ? { message_id: String(m.message_id) } : {}),
    });
  });
  return { messages: out, files };
}

function fileOf(part: Exclude<Part, string>, where: string): CarriedFile {
  const data = part.file_data ?? part.file?.file_data;
  const filename = safeName(part.filename ?? part.file?.filename ?? "document.txt");
  if (data === undefined) {
    throw new InvalidInputError({
      message: `${where}: a file part needs its content in file_data${part.file?.path ? " (a server path is not read)" : ""}`,
      hint: 'send {"type": "input_file", "filename": "notes.md", "file_data": "<base64 or text>"}',
    });
  }
  return { filename, data: decode(data) };
}

function decode(data: string): Buffer {
  const url = /^data:[^;,]*(;base64)?,(.*)$/s.exec(data);
  if (url)
    return url[1]
      ? Buffer.from(url[2] ?? "", "base64")
      : Buffer.from(decodeURIComponent(url[2] ?? ""), "utf8");
  // Base64 only when the whole string is base64 and decodes back to itself; otherwise plain text.
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(data) && data.length % 4 === 0) {
    const bytes = Buffer.from(data, "base64");
    if (bytes.toString("base64") === data) return bytes;
  }
  return Buffer.from(data, "utf8");
}

/** Keep the extension (it picks the parser), drop any path. */
function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "document.txt";
  const clean = base.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return clean === "" ? "document.txt" : clean.slice(-100);
}

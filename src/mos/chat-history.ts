import type Database from "better-sqlite3";
import type { LLMMessage } from "../core/interfaces/language-model.js";
import { nowIso } from "../core/time.js";

/** One stored chat message. */
export interface ChatTurnMessage {
  role: "user" | "assistant";
  content: string;
  created_at: string;
}

/**
 * Chat history per (user, session), kept in the registry database so a REPL or a server
 * restart resumes the conversation. Each session keeps a bounded window: older messages are
 * dropped as new ones arrive (MemOS's `max_turns_window`).
 *
 * @example
 * registry.chat.append("alice", "s1", [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }], 20);
 * registry.chat.recent("alice", "s1", 20); // the two messages, oldest first
 */
export class ChatHistoryStore {
  constructor(private readonly db: Database.Database) {}

  /** Append messages and keep only the last `keepTurns` turns (2 messages each). */
  append(
    userId: string,
    sessionId: string,
    messages: { role: "user" | "assistant"; content: string }[],
    keepTurns: number,
  ): void {
    const insert = this.db.prepare(
      "INSERT INTO chat_messages (user_id, session_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    const trim = this.db.prepare(
      `DELETE FROM chat_messages WHERE user_id = ? AND session_id = ? AND id NOT IN
         (SELECT id FROM chat_messages WHERE user_id = ? AND session_id = ? ORDER BY id DESC LIMIT ?)`,
    );
    this.db
      .transaction(() => {
        const at = nowIso();
        for (const m of messages) insert.run(userId, sessionId, m.role, m.content, at);
        trim.run(userId, sessionId, userId, sessionId, Math.max(0, keepTurns) * 2);
      })
      .immediate();
  }

  /** The last `turns` turns of a session, oldest first. */
  recent(userId: string, sessionId: string, turns: number): ChatTurnMessage[] {
    const rows = this.db
      .prepare(
        "SELECT role, content, created_at FROM chat_messages WHERE user_id = ? AND session_id = ? ORDER BY id DESC LIMIT ?",
      )
      .all(userId, sessionId, Math.max(0, turns) * 2) as ChatTurnMessage[];
    return rows.reverse();
  }

  /** The history as messages for an LLM. */
  messages(userId: string, sessionId: string, turns: number): LLMMessage[] {
    return this.recent(userId, sessionId, turns).map((m) => ({ role: m.role, content: m.content }));
  }

  /** Forget one session, or every session of the user when `sessionId` is omitted. Returns how many messages went. */
  clear(userId: string, sessionId?: string): number {
    if (sessionId === undefined)
      return this.db.prepare("DELETE FROM chat_messages WHERE user_id = ?").run(userId).changes;
    return this.db
      .prepare("DELETE FROM chat_messages WHERE user_id = ? AND session_id = ?")
      .run(userId, sessionId).changes;
  }
}

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { type ChatMessage, validateChatMessages } from "../../reader/chat-schema.js";
import { toChat } from "../messages.js";
import {
  actingUser,
  checkLocalPath,
  cubeIdArg as cubeId,
  type McpSession,
  runTool,
  toolError,
  toolOk,
  userIdArg as userId,
} from "./session.js";

const memoryId = z.string().min(1).describe("Memory id (a uuid)");

/** A memory as tools return it: no embedding, metadata as stored. */
export function memoryView(item: TextualMemoryItem, cube_id?: string): Record<string, unknown> {
  const { embedding: _drop, ...metadata } = item.metadata;
  return { ...(cube_id ? { cube_id } : {}), id: item.id, memory: item.memory, metadata };
}

// A turn as MemOS clients send it: content a string or a list of parts (text / input_text).
const WireMessage = z.object({
  role: z.string().min(1),
  content: z.union([
    z.string(),
    z.array(z.union([z.string(), z.looseObject({ type: z.string(), text: z.string().optional() })])),
  ]),
  chat_time: z.string().optional(),
  speaker: z.string().optional(),
  message_id: z.union([z.string(), z.number()]).optional(),
});

/**
 * `messages` as MemOS clients send it: a list of turns, or (as many agents do) one plain string,
 * which is a single user turn. MemOS drops the string silently; here it is stored. Content parts
 * are read as the REST API reads them; files go through `doc_path` or `/product/add`.
 */
function toMessages(messages: string | z.infer<typeof WireMessage>[] | undefined): ChatMessage[] | undefined {
  if (messages === undefined) return undefined;
  if (typeof messages === "string" && messages.trim() === "")
    throw new InvalidInputError({
      message: "messages is an empty string",
      hint: 'e.g. messages: "I moved to Porto"',
    });
  const { messages: turns, files } = toChat(messages);
  if (files.length > 0)
    throw new InvalidInputError({
      message: "add_memory takes text messages; file parts are not read here",
      hint: "pass a document as doc_path (stdio), or send it to the REST API's /product/add",
    });
  return validateChatMessages(turns);
}

/** The memory tools: add, search, get, update, delete, delete all, chat, clear chat history. */
export function registerMemoryTools(server: McpServer, session: McpSession): void {
  const { mos } = session;

  server.registerTool(
    "add_memory",
    {
      title: "Add memory",
      description:
        "Store memories in a cube: conversation `messages` (a list of {role, content} turns, or one plain string taken as a user turn), a `memory_content` text, and/or a document at `doc_path`. Returns the memories written.",
      inputSchema: {
        memory_content: z.string().optional().describe("A memory text, stored as given"),
        doc_path: z
          .string()
          .optional()
          .describe("Path of a document on the server (txt, md, html, pdf, json)"),
        messages: z
          .union([z.string(), z.array(WireMessage).min(1)])
          .optional()
          .describe(
            'Conversation turns [{"role": "user", "content": "..." or [{"type": "text", "text": "..."}]}], or one plain string',
          ),
        cube_id: cubeId.optional().describe("Target cube (default: the user's default cube)"),
        user_id: userId,
        session_id: z.string().optional().describe("Conversation session the memories belong to"),
        mode: z.enum(["fast", "fine"]).optional().describe("fast (default, no LLM) or fine (LLM extraction)"),
      },
    },
    (args) =>
      runTool("add_memory", async () => {
        const user = actingUser(session, args.user_id);
        if (args.doc_path !== undefined) checkLocalPath(session, "doc_path");
        const result = await mos.add({
          userId: user,
          cubeId: args.cube_id,
          sessionId: args.session_id,
          mode: args.mode,
          messages: toMessages(args.messages),
          memoryContent: args.memory_content,
          docPath: args.doc_path,
        });
        const memories = result.memories.map((m) => ({
          memory_id: m.id,
          memory: m.memory,
          memory_type: m.metadata.memory_type,
          cube_id: result.cube_id,
        }));
        if (memories.length === 0)
          return toolError({
            code: "invalid_input",
            message: `nothing was stored in ${result.cube_id}: the reader found no memory in the input`,
            hint: "send text with content (a message, a sentence), not only whitespace or markup",
          });
        const lines = memories.map((m) => `- ${m.memory_id} [${m.memory_type}] ${m.memory}`);
        const warn = result.warnings.length ? `\nWarnings: ${result.warnings.join("; ")}` : "";
        return toolOk(
          `Stored ${memories.length} memories in ${result.cube_id}:\n${lines.join("\n")}${warn}`,
          {
            cube_id: result.cube_id,
            memories,
            warnings: result.warnings,
          },
        );
      }),
  );

  server.registerTool(
    "search_memories",
    {
      title: "Search memories",
      description:
        "Search the memories of every cube the user may read (or `cube_ids`). Returns MemOS's shape: text_mem [{cube_id, memories}], pref_mem, each hit's score in metadata.relativity.",
      inputSchema: {
        query: z.string().min(1).describe("What to look for"),
        user_id: userId,
        cube_ids: z.array(cubeId).optional().describe("Cubes to search (default: every cube the user reads)"),
        top_k: z.number().int().min(1).max(100).optional().describe("Results per cube (default 5)"),
        mode: z
          .enum(["fast", "fine"])
          .optional()
          .describe("fast (default) or fine (an LLM parses the query)"),
      },
    },
    (args) =>
      runTool("search_memories", async () => {
        const user = actingUser(session, args.user_id);
        const found = await mos.search({
          query: args.query,
          userId: user,
          cubeIds: args.cube_ids,
          topK: args.top_k,
          mode: args.mode,
        });
        const lines = found.text_mem.flatMap((c) =>
          c.memories.map((m) => {
            const score = (m.metadata as { relativity?: number }).relativity;
            return `- [${c.cube_id}] ${m.id} (${score?.toFixed(3) ?? "?"}) ${m.memory}`;
          }),
        );
        const text = lines.length
          ? `Found ${lines.length} memories:\n${lines.join("\n")}`
          : "No memories found.";
        return toolOk(text, {
          text_mem: found.text_mem.map((c) => ({
            cube_id: c.cube_id,
            memories: c.memories.map((m) => memoryView(m)),
          })),
          act_mem: found.act_mem,
          para_mem: found.para_mem,
          pref_mem: found.pref_mem.map((c) => ({
            cube_id: c.cube_id,
            memories: c.memories.map((m) => memoryView(m)),
          })),
          warnings: found.warnings,
        });
      }),
  );

  server.registerTool(
    "get_memory",
    {
      title: "Get memory",
      description: "One memory by id, with its metadata and provenance (sources).",
      inputSchema: {
        cube_id: cubeId.optional().describe("Cube holding it (default: any cube the user reads)"),
        memory_id: memoryId,
        user_id: userId,
      },
    },
    (args) =>
      runTool("get_memory", async () => {
        const user = actingUser(session, args.user_id);
        const found = await mos.get(args.memory_id, { userId: user, cubeId: args.cube_id });
        return toolOk(`[${found.cube_id}] ${found.memory.id}: ${found.memory.memory}`, {
          memory: memoryView(found.memory, found.cube_id),
        });
      }),
  );

  server.registerTool(
    "update_memory",
    {
      title: "Update memory",
      description: "Replace a memory's text; the old text is kept in its version history.",
      inputSchema: {
        cube_id: cubeId.optional(),
        memory_id: memoryId,
        memory_content: z.string().min(1).describe("The new text"),
        user_id: userId,
      },
    },
    (args) =>
      runTool("update_memory", async () => {
        const user = actingUser(session, args.user_id);
        const updated = await mos.update(
          args.memory_id,
          { memory: args.memory_content },
          { userId: user, cubeId: args.cube_id },
        );
        return toolOk(`Updated ${updated.memory.id} (version ${updated.memory.metadata.version ?? "?"})`, {
          memory: memoryView(updated.memory, updated.cube_id),
        });
      }),
  );

  server.registerTool(
    "delete_memory",
    {
      title: "Delete memory",
      description: "Delete one memory (the user needs delete access to its cube).",
      inputSchema: { cube_id: cubeId.optional(), memory_id: memoryId, user_id: userId },
    },
    (args) =>
      runTool("delete_memory", async () => {
        const user = actingUser(session, args.user_id);
        const deleted = await mos.delete(args.memory_id, { userId: user, cubeId: args.cube_id });
        return toolOk(`Deleted ${args.memory_id} from ${deleted[0]?.cube_id}`, { deleted });
      }),
  );

  server.registerTool(
    "delete_all_memories",
    {
      title: "Delete all memories",
      description: "Delete every memory of a cube. Cannot be undone.",
      inputSchema: { cube_id: cubeId, user_id: userId },
    },
    (args) =>
      runTool("delete_all_memories", async () => {
        const user = actingUser(session, args.user_id);
        const result = await mos.deleteAll({ userId: user, cubeId: args.cube_id });
        return toolOk(`Deleted ${result.deleted} memories from ${result.cube_id}`, result);
      }),
  );

  server.registerTool(
    "chat",
    {
      title: "Chat with memory",
      description:
        "Answer a query with the user's memories in the prompt (needs an LLM on the server: MEMOS_LLM). Returns the answer and the memories it cites.",
      inputSchema: {
        query: z.string().min(1).describe("The user's message"),
        user_id: userId,
        session_id: z.string().optional().describe('Conversation whose history is kept (default "default")'),
        cube_ids: z
          .array(cubeId)
          .optional()
          .describe("Cubes to draw memories from (default: every cube the user reads)"),
      },
    },
    (args) =>
      runTool("chat", async () => {
        const user = actingUser(session, args.user_id);
        const r = await mos.chat(args.query, {
          userId: user,
          sessionId: args.session_id,
          cubeIds: args.cube_ids,
        });
        return toolOk(r.answer, {
          answer: r.answer,
          session_id: r.sessionId,
          citations: r.citations,
          memories: r.memories.map((m) => ({
            index: m.index,
            memory_id: m.memoryId,
            cube_id: m.cubeId,
            memory: m.item.memory,
          })),
          warnings: r.warnings,
        });
      }),
  );

  server.registerTool(
    "clear_chat_history",
    {
      title: "Clear chat history",
      description:
        "Forget a chat session's history (every session when session_id is omitted). Memories stay.",
      inputSchema: {
        user_id: userId,
        session_id: z
          .string()
          .optional()
          .describe("The session to forget (default: every session of the user)"),
      },
    },
    (args) =>
      runTool("clear_chat_history", () => {
        const user = actingUser(session, args.user_id);
        const removed = mos.clearChatHistory(user, args.session_id);
        return toolOk(`Chat history cleared for user ${user} (${removed} messages)`, {
          user_id: user,
          session_id: args.session_id ?? null,
          removed_messages: removed,
        });
      }),
  );
}

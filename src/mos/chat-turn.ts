import { reportChatTurn } from "./background.js";
import { type ChatDeps, type ChatOptions, type ChatResult, type ChatStream, runChat } from "./chat.js";
import { activationForChat } from "./chat-activation.js";
import { withChatAdapters } from "./chat-lora.js";
import type { MosCore } from "./context.js";
import { requireUser } from "./guard.js";
import * as mem from "./memories.js";

/** Earlier queries of a session that a `query` task carries (MemOS batches recent queries). */
const QUERY_HISTORY_TURNS = 5;

/**
 * `MOS.chat` for one acting user: retrieval over the cubes they may read, the answer (on the chat
 * model with the cubes' active LoRA adapters), the optional write-back, then the turn reported to
 * the scheduler (`query` / `answer` tasks) when one is attached.
 */
export async function chatTurn(
  core: MosCore,
  actingUser: string,
  query: string,
  options: ChatOptions,
): Promise<ChatResult | ChatStream> {
  const userId = requireUser(core.home.registry, actingUser).user_id;
  const retrieve = (q: string, topK: number) => mem.retrieveForChat(core, userId, q, topK, options.cubeIds);
  const writeBack = async (messages: mem.MOSAddOptions["messages"], sessionId: string) =>
    (await mem.add(core, userId, { userId, messages, sessionId, mode: "fast" })).memories;
  // Read before the turn is kept, so the query itself is not among its "earlier" queries.
  const earlier = core.tasks
    ? core.home.registry.chat
        .recent(userId, options.sessionId ?? "default", QUERY_HISTORY_TURNS)
        .filter((m) => m.role === "user")
        .map((m) => m.content)
    : [];
  const activation: ChatDeps["activation"] = (base, llm) =>
    activationForChat(core, userId, { cubeIds: options.cubeIds, base, llm });
  const deps = { llm: core.llm, history: core.home.registry.chat, userId, retrieve, writeBack, activation };
  const out = await withChatAdapters(core, userId, options.cubeIds, deps, (d) => runChat(d, query, options));
  const report = (r: ChatResult) => reportChatTurn(core, userId, query, r, earlier);
  if ("textStream" in out) void out.result.then(report, () => undefined);
  else report(out);
  return out;
}

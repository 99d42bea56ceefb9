import { resolve } from "node:path";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { MemoryFilter } from "../core/schema/filter.js";
import type { CubeTextBackend } from "../cube/config.js";
import type { MemCube } from "../cube/mem-cube.js";
import type { MemoryHistory, UpdatePatch } from "../memory/textual/types.js";
import { languageModelFromEnv } from "../providers/shared/from-env.js";
import * as admin from "./admin.js";
import { addInBackground, type BackgroundTasks } from "./background.js";
import { type ChatOptions, type ChatResult, type ChatStream, DEFAULT_HISTORY_TURNS } from "./chat.js";
import type { ChatTurnMessage } from "./chat-history.js";
import { releaseChatAdapters } from "./chat-lora.js";
import { chatTurn } from "./chat-turn.js";
import { type MosCore, openAuthorized } from "./context.js";
import { CubePool } from "./cube-pool.js";
import * as transfer from "./cube-transfer.js";
import { requireUser, resolveCubeId } from "./guard.js";
import { MemosHome } from "./home.js";
import * as mem from "./memories.js";
import type { ShareRecord, UserRecord } from "./registry.js";
import type { Action } from "./roles.js";
import type { MOSSearchResult } from "./search-result.js";

/** Options of `MOS.open` / `MOS.init`. */
export interface MOSOptions {
  /** MEMOS_HOME (default $MEMOS_HOME, else ./.memos). */
  home?: string;
  /** The LLM for chat, fine mode and tree cubes. Without one, chat says how to configure one. */
  llm?: LanguageModel;
  /** Who calls act as when they name no `userId` (default: the home's first user, its root). */
  userId?: string;
}

/**
 * The memory operating system: users with roles, their cubes and shares (persisted in
 * MEMOS_HOME/registry.db), memory operations across cubes, and chat that remembers. Every call
 * resolves an acting user (`userId`, else the MOS's `userId`) and passes the ACL (`acl.ts`)
 * before it touches a cube: a user never reads or writes a cube that is neither theirs nor
 * shared with them, whatever ids they pass.
 *
 * @example
 * const mos = await MOS.init({ home: "./.memos", user: "alice", llm });  // alice is root
 * await mos.createUser("bob");                                         // bob + bob/default
 * await mos.add({ userId: "alice", memoryContent: "Alice lives in Lisbon" });
 * mos.shareCubeWithUser("alice/default", { targetUser: "bob" });       // read share
 * const found = await mos.search({ query: "where does Alice live?", userId: "bob" });
 * found.text_mem; // [{ cube_id: "alice/default", memories: [...] }, { cube_id: "bob/default", memories: [] }]
 * const { answer, citations } = await mos.chat("Where does Alice live?", { userId: "bob" });
 * await mos.close();
 */
export class MOS {
  private readonly core: MosCore;

  private constructor(
    readonly home: MemosHome,
    readonly llm: LanguageModel | undefined,
    /** The default acting user. */
    readonly userId: string,
    private readonly ownsHome: boolean,
  ) {
    const pool = new CubePool((cubeId) => home.openCube(cubeId, { llm }));
    this.core = { home, pool, llm };
  }

  /**
   * Open an existing home (NotFoundError saying to run `memos init` when there is none).
   *
   * @example
   * const mos = await MOS.open({ home: "./.memos", llm: createScriptedLanguageModel([...]) });
   */
  static async open(options: MOSOptions = {}): Promise<MOS> {
    const home = MemosHome.open(MemosHome.resolveDir(options.home));
    return MOS.build(home, options, true);
  }

  /**
   * Open a home, creating it first when missing (its first user, `user` or "default", is root).
   *
   * @example
   * const mos = await MOS.init({ home: "/tmp/memos", user: "alice" });
   */
  static async init(options: MOSOptions & { user?: string } = {}): Promise<MOS> {
    const { home } = await MemosHome.init(MemosHome.resolveDir(options.home), {
      user: options.user ?? options.userId,
    });
    return MOS.build(home, options, true);
  }

  /**
   * A working MOS from environment variables alone: MEMOS_HOME (else ./.memos, initialised when
   * missing, with user MEMOS_USER or "default"), MEMOS_USER as the acting user, and the LLM
   * MEMOS_LLM names (none: chat explains how to set it).
   *
   * @example
   * // MEMOS_HOME=~/.memos MEMOS_LLM=ollama:qwen2.5
   * const mos = await MOS.simple();
   * const { answer } = await mos.chat("What do you remember about me?");
   */
  static async simple(env: NodeJS.ProcessEnv = process.env): Promise<MOS> {
    const dir = resolve(env.MEMOS_HOME ?? ".memos");
    const user = env.MEMOS_USER?.trim() || undefined;
    const llm = await languageModelFromEnv(env);
    return MOS.init({ home: dir, user, userId: user, llm });
  }

  /**
   * A MOS over a home someone else opened and will close (the CLI's context does this).
   * `close()` then closes the MOS's cubes but not the home.
   */
  static fromHome(home: MemosHome, options: Omit<MOSOptions, "home"> = {}): MOS {
    return MOS.build(home, options, false);
  }

  private static build(home: MemosHome, options: MOSOptions, ownsHome: boolean): MOS {
    try {
      return new MOS(
        home,
        options.llm,
        requireUser(home.registry, options.userId ?? home.defaultUser).user_id,
        ownsHome,
      );
    } catch (error) {
      if (ownsHome) home.close();
      throw error;
    }
  }

  /**
   * Create a user (default role "user") with a default cube "<id>/default" (guests get none).
   * Only root and admins create users, only root creates admins.
   *
   * @example
   * await mos.createUser("carol", { role: "guest", actingUser: "alice" });
   */
  createUser(
    userId: string,
    options: { role?: string; name?: string; actingUser?: string } = {},
  ): Promise<UserRecord> {
    return admin.createUser(this.core, options.actingUser ?? this.userId, userId, options);
  }

  /** Every user (MemOS's `list_users` shape). */
  listUsers(): admin.UserInfo[] {
    return admin.listUsers(this.core);
  }

  /** A user and the cubes they can read (MemOS's `get_user_info`, with our access details). */
  getUserInfo(userId: string = this.userId): admin.UserDetails {
    return admin.userDetails(this.core, userId);
  }

  // ---- cubes ----

  /**
   * Create a cube `owner/cubeName` for `owner` and return its id. The owner may, and root and
   * admins may for anyone; guests own no cubes.
   *
   * @example
   * const id = await mos.createCubeForUser("work", "bob", { actingUser: "alice" }); // "bob/work"
   */
  createCubeForUser(
    cubeName: string,
    owner: string,
    options: { actingUser?: string; cubeId?: string; textBackend?: CubeTextBackend } = {},
  ): Promise<string> {
    return admin.createCubeForUser(this.core, options.actingUser ?? this.userId, cubeName, owner, options);
  }

  /**
   * Register a cube directory (or an open MemCube, which this MOS then owns) for `userId`, its
   * owner; returns the cube id (`cubeId`, else the config's cube_id).
   *
   * @example
   * await mos.registerMemCube("./exported-cube", { userId: "bob", cubeId: "bob/imported" });
   */
  registerMemCube(
    pathOrCube: string | MemCube,
    options: { userId?: string; cubeId?: string } = {},
  ): Promise<string> {
    return admin.registerMemCube(this.core, options.userId ?? this.userId, pathOrCube, options);
  }

  /** Forget a cube, keeping its directory (owner, root or admin: the `manage` action). */
  unregisterMemCube(cubeId: string, options: { userId?: string } = {}): Promise<void> {
    return admin.unregisterMemCube(this.core, options.userId ?? this.userId, cubeId);
  }

  /**
   * Share a cube with `targetUser`, read (default) or write. The owner may, and root and admins.
   *
   * @example
   * mos.shareCubeWithUser("alice/default", { actingUser: "alice", targetUser: "bob", permission: "write" });
   */
  shareCubeWithUser(
    cubeId: string,
    options: { targetUser: string; permission?: string; actingUser?: string; owner?: string },
  ): ShareRecord {
    return admin.shareCube(
      this.core,
      options.actingUser ?? options.owner ?? this.userId,
      cubeId,
      options.targetUser,
      options.permission,
    );
  }

  /** Revoke a share; returns whether there was one. */
  unshareCube(cubeId: string, options: { targetUser: string; actingUser?: string }): boolean {
    return admin.unshareCube(this.core, options.actingUser ?? this.userId, cubeId, options.targetUser);
  }

  /**
   * Leave a cube someone shared with the user (their own share is removed); returns its id.
   * Short names resolve as everywhere (see `resolveCubeId`).
   *
   * @example
   * mos.leaveCube("carol/recipes", { userId: "bob" }); // bob no longer reads carol/recipes
   */
  leaveCube(cubeId: string, options: { userId?: string } = {}): string {
    return admin.leaveCube(this.core, options.userId ?? this.userId, cubeId);
  }

  /** The cubes a user may read, with how they reach each and what they may do. */
  listCubes(options: { userId?: string } = {}): admin.CubeInfo[] {
    return admin.listCubes(this.core, options.userId ?? this.userId);
  }

  /** The open cube, after the ACL allowed `action` (default "read") on it. */
  async openCube(cubeId: string, options: { userId?: string; action?: Action } = {}): Promise<MemCube> {
    return (await openAuthorized(this.core, options.userId ?? this.userId, cubeId, options.action ?? "read"))
      .cube;
  }

  /**
   * The cube id a name means for the user, as every call resolves it: `owner/name` stays; a short
   * name is the user's own cube, else the one shared with them, else an exact id.
   *
   * @example
   * mos.resolveCubeId("notes", { userId: "alice" }); // "alice/notes"
   */
  resolveCubeId(name: string, options: { userId?: string } = {}): string {
    return resolveCubeId(this.home.registry, options.userId ?? this.userId, name);
  }

  /** Where the user's writes go when no cube is named. */
  defaultCubeOf(userId: string = this.userId): string {
    return this.home.defaultCubeOf(userId);
  }

  // ---- memories ----

  /**
   * Add messages, a memory text and/or a document to a cube (default: the user's default cube;
   * write access needed).
   *
   * @example
   * await mos.add({ userId: "bob", messages: [{ role: "user", content: "I moved to Porto" }], sessionId: "s1" });
   */
  add(options: mem.MOSAddOptions): Promise<mem.AddResult> {
    const userId = options.userId ?? this.userId;
    return options.asyncMode === "async"
      ? addInBackground(this.core, userId, options)
      : mem.add(this.core, userId, options);
  }

  /**
   * Attach the scheduler that async adds (`asyncMode: "async"`) and chat turns submit to
   * (`undefined` detaches it). The scheduler's handlers use this MOS in turn.
   *
   * @example
   * mos.useScheduler(await MemScheduler.create({ home: mos.home.dir, handlers: createMosHandlers({ mos }) }));
   */
  useScheduler(tasks: BackgroundTasks | undefined): void {
    this.core.tasks = tasks;
  }

  /**
   * Search every cube the user may read (or `cubeIds`, each checked), MemOS's result shape.
   *
   * @example
   * const { text_mem } = await mos.search({ query: "Porto", userId: "bob", topK: 3 });
   */
  search(options: mem.MOSSearchOptions): Promise<MOSSearchResult> {
    return mem.search(this.core, options.userId ?? this.userId, options);
  }

  /** One memory by id, looked for only in cubes the user may read. */
  get(memoryId: string, options: mem.MemoryScope = {}): Promise<mem.LocatedMemory> {
    return mem.get(this.core, options.userId ?? this.userId, memoryId, options);
  }

  /** Every memory of a cube (or of each cube the user reads), MemOS's result shape. */
  getAll(
    options: {
      userId?: string;
      cubeId?: string;
      limit?: number;
      offset?: number;
      filter?: MemoryFilter;
    } = {},
  ): Promise<MOSSearchResult> {
    return mem.getAll(this.core, options.userId ?? this.userId, options);
  }

  /** Change a memory's text or metadata (write access to its cube); the old text goes to history. */
  update(memoryId: string, patch: UpdatePatch, options: mem.MemoryScope = {}): Promise<mem.LocatedMemory> {
    return mem.update(this.core, options.userId ?? this.userId, memoryId, patch, options);
  }

  /** Delete memories by id (delete access to their cubes; all are checked before any goes). */
  delete(
    memoryIds: string | string[],
    options: mem.MemoryScope = {},
  ): Promise<{ cube_id: string; deleted: string[] }[]> {
    return mem.remove(this.core, options.userId ?? this.userId, memoryIds, options);
  }

  /** Delete every memory of a cube (default: the user's default cube). */
  deleteAll(
    options: { userId?: string; cubeId?: string } = {},
  ): Promise<{ cube_id: string; deleted: number }> {
    return mem.removeAll(this.core, options.userId ?? this.userId, options.cubeId);
  }

  /** The versions of a memory (read access). */
  history(memoryId: string, options: mem.MemoryScope = {}): Promise<MemoryHistory & { cube_id: string }> {
    return mem.history(this.core, options.userId ?? this.userId, memoryId, options);
  }

  /** Restore an earlier version's text as a new version (write access). */
  rollback(memoryId: string, toVersion: number, options: mem.MemoryScope = {}): Promise<mem.LocatedMemory> {
    return mem.rollback(this.core, options.userId ?? this.userId, memoryId, toVersion, options);
  }

  /**
   * Write a cube as a MemOS cube directory (read access). Refuses a non-empty `dir` unless `force`.
   *
   * @example
   * await mos.dump("alice/default", "./backup", { userId: "alice" });
   */
  dump(cubeId: string, dir: string, options: transfer.DumpOptions = {}): ReturnType<typeof transfer.dump> {
    return transfer.dump(this.core, options.userId ?? this.userId, cubeId, dir, options);
  }

  /**
   * Import a cube directory (ours or MemOS's) as a new cube owned by the user.
   *
   * @example
   * const { cube_id } = await mos.load("./backup", { userId: "bob", cubeId: "bob/restored" });
   */
  load(dir: string, options: { userId?: string; cubeId?: string } = {}): Promise<transfer.LoadResult> {
    return transfer.load(this.core, options.userId ?? this.userId, dir, options);
  }

  // ---- chat ----

  /**
   * Chat with memory: the user's readable cubes are searched, the best memories go into the
   * system prompt numbered `[i:memId]`, the session's history follows, then the LLM answers.
   * Citations in the answer are checked against the prompt. `stream: true` returns the deltas as
   * they come and the result once they have been read.
   *
   * @example
   * const r = await mos.chat("Where do I live?", { userId: "alice", sessionId: "s1" });
   * r.citations; // [{ index: 1, memoryId: "…", cubeId: "alice/default" }]
   * const s = await mos.chat("And my cat?", { userId: "alice", stream: true });
   * for await (const delta of s.textStream) process.stdout.write(delta);
   * (await s.result).citations;
   */
  chat(query: string, options: ChatOptions & { stream: true }): Promise<ChatStream>;
  chat(query: string, options?: ChatOptions & { stream?: false }): Promise<ChatResult>;
  chat(query: string, options?: ChatOptions): Promise<ChatResult | ChatStream>;
  async chat(query: string, options: ChatOptions = {}): Promise<ChatResult | ChatStream> {
    return chatTurn(this.core, options.userId ?? this.userId, query, options);
  }

  /** A session's kept history, oldest first. */
  chatHistory(options: { userId?: string; sessionId?: string; turns?: number } = {}): ChatTurnMessage[] {
    const userId = requireUser(this.home.registry, options.userId ?? this.userId).user_id;
    return this.home.registry.chat.recent(
      userId,
      options.sessionId ?? "default",
      options.turns ?? DEFAULT_HISTORY_TURNS,
    );
  }

  /** Forget a session's history (every session of the user when `sessionId` is omitted); returns how many messages went. */
  clearChatHistory(userId: string = this.userId, sessionId?: string): number {
    return this.home.registry.chat.clear(requireUser(this.home.registry, userId).user_id, sessionId);
  }

  /** Close every cube this MOS opened (and the home, when this MOS opened it). */
  async close(): Promise<void> {
    await Promise.all([this.core.pool.closeAll(), releaseChatAdapters(this.core)]);
    if (this.ownsHome) this.home.close();
  }
}

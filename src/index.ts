/**
 * MemOS-TS: a memory operating system for LLM applications.
 *
 * @example
 * import { MemCube } from "memos-ts";
 * const cube = await MemCube.create("./cube", { cubeId: "me/notes", userId: "me" });
 * await cube.text.addMessages([{ role: "user", content: "I live in Lisbon" }]);
 * const hits = await cube.text.search("where do I live?");
 */

export { runCli } from "./cli/main.js";
export * from "./core/index.js";
export * from "./cube/index.js";
export * from "./memory/textual/index.js";
export * from "./mos/index.js";
export * from "./organize/index.js";
export * from "./providers/index.js";
export * from "./reader/index.js";
export * from "./retrieve/index.js";
export { createSqliteMemoryStore, SqliteMemoryStore } from "./storage/sqlite/index.js";

/**
 * `memos-ts/internal`: the building blocks behind the public API, for users who assemble their
 * own pipeline (a searcher over their store, the reorganizer on its own, the readers' chunkers,
 * retry and lazy-import helpers for a new provider, the store search strategy for a new
 * adapter). No stability promise: these names follow the code, and a minor release may change
 * them. Everything stable is exported by `memos-ts` itself.
 *
 * @module
 */
import "./register-all.js";

export * from "./core/index.js";
export * from "./core/math/random.js";
export * from "./core/math/vector.js";
export * from "./cube/index.js";
export * from "./memory/activation/index.js";
export * from "./memory/textual/index.js";
export * from "./mos/index.js";
export * from "./organize/index.js";
export * from "./providers/index.js";
export * from "./reader/index.js";
export * from "./retrieve/index.js";
export * from "./storage/postgres/index.js";
export * from "./storage/shared/filter-pushdown.js";
export * from "./storage/shared/search-strategy.js";
export * from "./storage/sqlite/index.js";

/**
 * Registers every built-in backend, so a `{backend, config}` anywhere resolves: providers
 * (models, embedders, rerankers), stores, and memory types. Registering is free: optional
 * packages load on first use. `memos-ts` imports this for you.
 *
 * @module
 */
import "./providers/register-all.js";
import "./storage/register-neo4j.js";
import "./storage/register-qdrant.js";
import "./storage/register-postgres.js";
import "./storage/register-sqlite.js";
import "./cube/memory-backends/register.js";

// Side-effect module: registers every built-in backend, so `{backend: "glove"}`,
// `{backend: "sqlite"}`, `{backend: "openai"}`, `{backend: "llama-cpp"}`, ... resolve wherever a
// config names them. Registering is free: optional client packages load on first use.
import "./embedder/glove/register.js";
import "./embedder/register-remote.js";
import "./llm/register.js";
import "./llm/register-local.js";
import "./reranker/register.js";
import "./reranker/http/register.js";
import "../storage/register-sqlite.js";

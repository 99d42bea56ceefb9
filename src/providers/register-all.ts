/**
 * Registers every built-in provider backend, so `{backend: "openai"}`, `{backend: "glove"}`,
 * `{backend: "llama-cpp"}`, ... resolve wherever a config names one. Registering is free:
 * optional client packages load on first use. A new provider is one folder with a
 * `register.ts`, plus one line here.
 *
 * @module
 */
import "./bm25-reranker/register.js";
import "./cosine-reranker/register.js";
import "./glove/register.js";
import "./http-reranker/register.js";
import "./llama-cpp/register.js";
import "./llm-reranker/register.js";
import "./ollama/register.js";
import "./openai/register.js";
import "./transformers/register.js";

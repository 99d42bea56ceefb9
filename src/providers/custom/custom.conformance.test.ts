/**
 * Custom models and embedders against the conformance suites: built from plain functions that
 * ignore abort signals and trust their input, so the wrapper must supply both.
 */

import { runEmbedderConformance } from "../../testing/embedder-conformance.js";
import { fakeEmbedding } from "../../testing/fake-embedding.js";
import { runLanguageModelConformance } from "../../testing/language-model-conformance.js";
import { createCustomEmbedder } from "./custom-embedder.js";
import { createCustomLanguageModel } from "./custom-language-model.js";

const answer = (json: boolean) => (json ? '{"answer":"Lisbon"}' : "You live in Lisbon.");

runLanguageModelConformance(
  "custom (generate only)",
  () =>
    createCustomLanguageModel({
      generate: async (_messages, options) => answer(options.responseFormat?.type === "json"),
    }),
  { skip: { "auth-error": "a function has no credentials" } },
);

runLanguageModelConformance(
  "custom (generate and stream, with usage)",
  () =>
    createCustomLanguageModel({
      structuredOutput: "json-schema",
      generate: async (_messages, options) => ({
        text: answer(options.responseFormat?.type === "json"),
        usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
      }),
      stream: async function* () {
        yield* ["You ", "live ", "in ", "Lisbon."];
      },
    }),
  {
    skip: {
      usage: "a custom stream yields text only, so its finish part has no usage",
      "auth-error": "a function has no credentials",
    },
  },
);

runEmbedderConformance("custom", () =>
  createCustomEmbedder({
    dimensions: 8,
    maxBatch: 3,
    embed: async (texts) => texts.map((t) => fakeEmbedding(t, 8)),
  }),
);

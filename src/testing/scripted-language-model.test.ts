/** The scripted test double against the LanguageModel conformance suite: tests that use it get real semantics. */
import {
  CONFORMANCE_OBJECT_PROMPT,
  CONFORMANCE_TEXT_PROMPT,
  runLanguageModelConformance,
} from "./language-model-conformance.js";
import { createScriptedLanguageModel } from "./scripted-language-model.js";

const lastUser = (prompt: typeof CONFORMANCE_TEXT_PROMPT) => prompt.at(-1)?.content ?? "";

runLanguageModelConformance(
  "scripted",
  () =>
    createScriptedLanguageModel([
      { match: lastUser(CONFORMANCE_OBJECT_PROMPT), reply: { answer: "Lisbon" } },
      { match: lastUser(CONFORMANCE_TEXT_PROMPT), reply: "You live in Lisbon." },
    ]),
  { reportsUsage: true, skip: { "auth-error": "a test double has no credentials" } },
);

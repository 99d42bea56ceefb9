/**
 * The LanguageModel conformance suite. Every chat backend (openai, ollama, llama-cpp, custom, the
 * scripted test double, and third-party ones) runs it, so code above the provider layer can rely
 * on one set of semantics: a non-empty answer, streaming that says what generating says, abort
 * honoured, structured output that is valid or a typed error, usage where reported.
 *
 * @example
 * // src/providers/my-backend/my-backend.conformance.test.ts
 * runLanguageModelConformance("my-backend", () => createMyBackend({ url })("my-model"), {
 *   reportsUsage: true,
 *   makeUnauthenticatedModel: () => createMyBackend({ url, apiKey: "wrong" })("my-model"),
 *   skip: { abort: "the server cannot be interrupted" },
 * });
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthenticationError } from "../core/errors/authentication-error.js";
import { LLMOutputError } from "../core/errors/llm-output-error.js";
import type {
  FinishReason,
  GenerateOptions,
  LanguageModel,
  LLMMessage,
  StreamPart,
  TokenUsage,
} from "../core/interfaces/language-model.js";
import { generateObject } from "../providers/shared/generate-object.js";
import { generateText, streamText } from "../providers/shared/generate-text.js";
import { rejection } from "./rejection.js";

/** The cases, by name, for `skip`. */
export type LanguageModelConformanceCase =
  | "generate"
  | "stream-equals-generate"
  | "abort"
  | "generate-object"
  | "usage"
  | "auth-error";

/** How {@link runLanguageModelConformance} treats one model: skips, capabilities, call options. */
export interface LanguageModelConformanceOptions {
  /** Cases this model cannot run, each with why (shown as the skipped test's name). */
  skip?: Partial<Record<LanguageModelConformanceCase, string>>;
  /** The model reports token usage, from doGenerate and in the stream's finish part. */
  reportsUsage?: boolean;
  /** A model whose credentials are refused; the "auth-error" case expects an AuthenticationError. */
  makeUnauthenticatedModel?: () => LanguageModel | Promise<LanguageModel>;
  /** Options for every call (e.g. `{ maxTokens: 16, seed: 1 }` for a slow local model). */
  callOptions?: GenerateOptions;
  /** Runs after the suite (close a server, dispose a model). */
  cleanup?: () => void | Promise<void>;
}

/** What the suite asks for text; a scripted harness answers it. */
export const CONFORMANCE_TEXT_PROMPT: LLMMessage[] = [
  { role: "system", content: "You are a conformance test. Answer briefly." },
  { role: "user", content: "Conformance: where does the user live?" },
];

/** What the suite asks for JSON; the answer must match {@link CONFORMANCE_OBJECT_SCHEMA}. */
export const CONFORMANCE_OBJECT_PROMPT: LLMMessage[] = [
  { role: "user", content: "Conformance: answer in JSON with the user's city as `answer`." },
];

/** The shape the "generate-object" case asks for: `{ answer: string }`. */
export const CONFORMANCE_OBJECT_SCHEMA = z.object({ answer: z.string() });

const FINISH_REASONS: FinishReason[] = ["stop", "length", "content-filter", "error", "other"];

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function expectUsage(usage: TokenUsage | undefined): void {
  expect(usage?.inputTokens).toBeGreaterThan(0);
  expect(usage?.outputTokens).toBeGreaterThan(0);
  if (usage?.totalTokens !== undefined)
    expect(usage.totalTokens).toBeGreaterThanOrEqual(usage.outputTokens ?? 0);
}

/**
 * Define the suite for one model. `makeModel` runs once (models can be slow to load); the cases
 * share it.
 */
export function runLanguageModelConformance(
  name: string,
  makeModel: () => LanguageModel | Promise<LanguageModel>,
  options: LanguageModelConformanceOptions = {},
): void {
  const call = options.callOptions ?? {};
  const skip = { ...options.skip };
  if (!options.reportsUsage) skip.usage ??= "the model does not report token usage";
  if (!options.makeUnauthenticatedModel) skip["auth-error"] ??= "the harness cannot trigger an auth failure";

  const test = (id: LanguageModelConformanceCase, title: string, body: () => Promise<void>) => {
    const reason = skip[id];
    if (reason) it.skip(`${id}: ${title} (skipped: ${reason})`, body);
    else it(`${id}: ${title}`, body);
  };

  describe(`LanguageModel conformance: ${name}`, () => {
    let model: LanguageModel;
    beforeAll(async () => {
      model = await makeModel();
    });
    afterAll(async () => {
      await options.cleanup?.();
    });

    it("declares its spec version, provider, model id and structured-output capability", () => {
      expect(model.specificationVersion).toBe("v1");
      expect(model.provider).toMatch(/\S/);
      expect(model.modelId).toMatch(/\S/);
      expect(["json-schema", "grammar", "json", "none"]).toContain(model.structuredOutput);
    });

    test("generate", "answers with non-empty text and leaves the messages untouched", async () => {
      const messages = structuredClone(CONFORMANCE_TEXT_PROMPT);
      const result = await generateText(model, messages, call);
      expect(typeof result.text).toBe("string");
      expect(result.text.trim()).not.toBe("");
      if (result.finishReason !== undefined) expect(FINISH_REASONS).toContain(result.finishReason);
      expect(messages).toEqual(CONFORMANCE_TEXT_PROMPT);
    });

    test(
      "stream-equals-generate",
      "streams deltas then one finish part; the text equals doGenerate's",
      async () => {
        const generated = await model.doGenerate(CONFORMANCE_TEXT_PROMPT, call);
        const parts = await collect(model.doStream(CONFORMANCE_TEXT_PROMPT, call));
        const finishes = parts.filter((p) => p.type === "finish");
        expect(finishes).toHaveLength(1);
        expect(parts.at(-1)?.type).toBe("finish");
        const text = parts.map((p) => (p.type === "text-delta" ? p.delta : "")).join("");
        expect(text).toBe(generated.text);
        const streamed = streamText(model, CONFORMANCE_TEXT_PROMPT, call);
        let joined = "";
        for await (const delta of streamed.textStream) joined += delta;
        expect(joined).toBe(generated.text);
        if (options.reportsUsage) expectUsage(await streamed.usage);
      },
    );

    test("abort", "an aborted signal rejects generate and stream with an AbortError", async () => {
      const controller = new AbortController();
      controller.abort();
      const signal = controller.signal;
      const generateError = await rejection(() =>
        model.doGenerate(CONFORMANCE_TEXT_PROMPT, { ...call, signal }),
      );
      expect((generateError as Error).name).toBe("AbortError");
      const streamError = await rejection(() =>
        collect(model.doStream(CONFORMANCE_TEXT_PROMPT, { ...call, signal })),
      );
      expect((streamError as Error).name).toBe("AbortError");
    });

    test(
      "generate-object",
      "generateObject gives a valid object or a typed LLMOutputError, never empty",
      async () => {
        const outcome = await generateObject(
          model,
          CONFORMANCE_OBJECT_PROMPT,
          CONFORMANCE_OBJECT_SCHEMA,
          call,
        ).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        if ("result" in outcome) {
          expect(CONFORMANCE_OBJECT_SCHEMA.safeParse(outcome.result.object).success).toBe(true);
          expect(outcome.result.text.trim()).not.toBe("");
          expect([0, 1]).toContain(outcome.result.repairs);
        } else {
          expect(LLMOutputError.isInstance(outcome.error), String(outcome.error)).toBe(true);
          expect(typeof (outcome.error as LLMOutputError).text).toBe("string");
        }
      },
    );

    test("usage", "reports input and output tokens from doGenerate and the stream", async () => {
      expectUsage((await model.doGenerate(CONFORMANCE_TEXT_PROMPT, call)).usage);
      const parts = await collect(model.doStream(CONFORMANCE_TEXT_PROMPT, call));
      const finish = parts.at(-1);
      expectUsage(finish?.type === "finish" ? finish.usage : undefined);
    });

    test("auth-error", "refused credentials → AuthenticationError with a hint", async () => {
      const unauthenticated = await options.makeUnauthenticatedModel?.();
      if (!unauthenticated) throw new Error("makeUnauthenticatedModel returned nothing");
      const error = await rejection(() => unauthenticated.doGenerate(CONFORMANCE_TEXT_PROMPT, call));
      expect(AuthenticationError.isInstance(error), String(error)).toBe(true);
      expect((error as AuthenticationError).hint).toMatch(/\S/);
    });
  });
}

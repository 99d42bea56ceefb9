import { z } from "@hono/zod-openapi";

/**
 * Request and response schemas of the product API, with MemOS v2's field names
 * (src/memos/api/product_models.py). They validate requests and generate /openapi.json.
 */

/** A MemOS content part: text, or a file whose content travels in the request. */
export const ContentPart = z
  .looseObject({
    type: z.string().openapi({ example: "text", description: "text | input_text | input_file | file" }),
    text: z.string().optional(),
    file_data: z
      .string()
      .optional()
      .openapi({ description: "file content: base64, a data: URL, or plain text" }),
    filename: z.string().optional(),
    file_id: z.string().optional(),
    file: z
      .looseObject({
        file_data: z.string().optional(),
        filename: z.string().optional(),
        path: z.string().optional(),
      })
      .optional(),
  })
  .openapi("ContentPart");

export const Message = z
  .looseObject({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: z.union([z.string(), z.array(z.union([z.string(), ContentPart]))]),
    chat_time: z.string().optional(),
    speaker: z.string().optional(),
    name: z.string().optional(),
    message_id: z.union([z.string(), z.number()]).optional(),
  })
  .openapi("Message");

/** A list of messages, or one plain string (stored as a user message). */
export const Messages = z.union([z.string().min(1), z.array(Message).min(1)]);

export const Filter = z.record(z.string(), z.unknown()).openapi("Filter", {
  description:
    'Metadata filter DSL: {field: value | {eq, ne, in, gt, gte, lt, lte, contains}, and: [...], or: [...]}, e.g. {"tags": {"contains": "food"}}',
});

export const MemoryItem = z
  .looseObject({
    id: z.string(),
    memory: z.string(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi("MemoryItem");

export const CubeMemories = z
  .object({ cube_id: z.string(), memories: z.array(MemoryItem), total_nodes: z.number().int() })
  .openapi("CubeMemories");

/** Who reads which cubes (search, chat): MemOS's fields, the old single `mem_cube_id` included. */
export const readScopeFields = {
  user_id: z.string().optional(),
  readable_cube_ids: z.array(z.string()).min(1).optional(),
  mem_cube_id: z.string().optional().openapi({ description: "(deprecated) one cube; use readable_cube_ids" }),
};

/** The cubes a read names: `readable_cube_ids`, else `[mem_cube_id]`, else none (every cube the user reads). */
export function readCubeIds(body: {
  readable_cube_ids?: string[];
  mem_cube_id?: string;
}): string[] | undefined {
  return body.readable_cube_ids ?? (body.mem_cube_id ? [body.mem_cube_id] : undefined);
}

/** A success body in MemOS's envelope. */
export function ok<T>(message: string, data: T): { code: number; message: string; data: T } {
  return { code: 200, message, data };
}

/** MemOS's envelope around `data`. */
export function envelope<T extends z.ZodType>(data: T, name?: string) {
  const schema = z.object({ code: z.number().int().openapi({ example: 200 }), message: z.string(), data });
  return name ? schema.openapi(name) : schema;
}

export const ErrorBody = z
  .object({
    code: z.number().int().openapi({ example: 404 }),
    message: z.string(),
    hint: z.string().optional(),
    error: z.string().openapi({ example: "not_found" }),
    data: z.null(),
  })
  .openapi("Error");

const errorContent = { "application/json": { schema: ErrorBody } };

/** The error responses every authenticated route may give. */
export const errorResponses = {
  400: { description: "invalid input", content: errorContent },
  401: { description: "no, malformed, unknown or revoked API key", content: errorContent },
  403: { description: "the key's user may not do this", content: errorContent },
  404: { description: "unknown user, cube or memory", content: errorContent },
  413: { description: "body larger than the limit", content: errorContent },
  422: { description: "request fails validation", content: errorContent },
  429: { description: "rate limit reached (see Retry-After)", content: errorContent },
  503: { description: "needs a service that is not configured (an LLM)", content: errorContent },
} as const;

/** A JSON body and its 200 response, plus the common errors. */
export function jsonIo<B extends z.ZodType, R extends z.ZodType>(body: B, response: R, description: string) {
  return {
    request: { body: { content: { "application/json": { schema: body } }, required: true } },
    responses: {
      200: { description, content: { "application/json": { schema: response } } },
      ...errorResponses,
    },
  };
}

/** Only a 200 response (GET routes), plus the common errors. */
export function jsonOut<R extends z.ZodType>(response: R, description: string) {
  return {
    responses: {
      200: { description, content: { "application/json": { schema: response } } },
      ...errorResponses,
    },
  };
}

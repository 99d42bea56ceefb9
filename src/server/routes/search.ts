import { createRoute, z } from "@hono/zod-openapi";
import type { MemoryFilter } from "../../core/schema/filter.js";
import { normalizeFilter } from "../../core/schema/filter.js";
import { actingUser } from "../auth.js";
import {
  CubeMemories,
  envelope,
  Filter,
  jsonIo,
  type MemoryItem,
  ok,
  readCubeIds,
  readScopeFields,
} from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

export const SearchRequest = z
  .looseObject({
    query: z.string().min(1),
    ...readScopeFields,
    mode: z
      .enum(["fast", "fine", "mixture"])
      .default("fast")
      .openapi({ description: "fine and mixture need an LLM" }),
    top_k: z.number().int().min(1).max(1000).default(10),
    relativity: z
      .number()
      .min(0)
      .default(0)
      .openapi({ description: "drop hits scoring below it (0: keep all)" }),
    dedup: z.enum(["no", "sim", "mmr"]).nullable().optional(),
    rerank: z.boolean().optional(),
    include_preference: z.boolean().default(true),
    pref_top_k: z.number().int().min(0).default(6),
    filter: Filter.optional(),
    session_id: z
      .string()
      .optional()
      .openapi({ description: "accepted; a soft signal in MemOS, not used for ranking here" }),
    search_memory_type: z.string().default("All"),
    reference_time: z.string().optional(),
  })
  .openapi("SearchRequest");

export const SearchData = z
  .object({
    text_mem: z.array(CubeMemories),
    act_mem: z.array(z.unknown()),
    para_mem: z.array(z.unknown()),
    pref_mem: z.array(CubeMemories),
    pref_note: z.string(),
    pref_string: z.string(),
    warnings: z.array(z.string()).optional(),
  })
  .openapi("SearchData");

const route = createRoute({
  method: "post",
  path: "/product/search",
  tags: ["memories"],
  summary: "Search the cubes a user may read",
  ...jsonIo(SearchRequest, envelope(SearchData, "SearchResponse"), "hits per cube, best first"),
});

export function registerSearch(app: MemosApp, ctx: AppContext): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    const filter = body.filter ? (normalizeOnce(body.filter) as MemoryFilter) : undefined;
    const type = body.search_memory_type;
    const prefsOnly = type === "PreferenceMemory";
    const found = await ctx.mos.search({
      query: body.query,
      userId,
      cubeIds: readCubeIds(body),
      topK: body.top_k,
      // mixture = fast recall + fine parsing: our fine mode runs every path with the LLM's parse.
      mode: body.mode === "fast" ? "fast" : "fine",
      prefTopK: body.include_preference ? body.pref_top_k : 0,
      searchOptions: {
        filter,
        referenceTime: body.reference_time,
        dedup: body.dedup ?? undefined,
        rerank: body.rerank,
        threshold: body.relativity > 0 ? body.relativity : undefined,
        memoryTypes: type === "All" || prefsOnly ? undefined : [type],
      },
    });
    const prefs = found.pref_mem.map((p) => ({
      cube_id: p.cube_id,
      memories: p.memories,
      total_nodes: p.memories.length,
    }));
    const data = {
      text_mem: prefsOnly
        ? []
        : found.text_mem.map((t) => ({
            cube_id: t.cube_id,
            memories: t.memories,
            total_nodes: t.memories.length,
          })),
      act_mem: found.act_mem,
      para_mem: found.para_mem,
      pref_mem: prefs,
      pref_note: prefs.some((p) => p.memories.length > 0) ? PREF_NOTE : "",
      pref_string: prefString(prefs.flatMap((p) => p.memories)),
      ...(found.warnings.length > 0 ? { warnings: found.warnings } : {}),
    };
    return c.json(ok("Search completed successfully", data), 200);
  });
}

const PREF_NOTE =
  "The user's preferences below come from earlier conversations; follow them unless the user says otherwise.";

/** Preferences as one instruction block (MemOS's `pref_string`). */
function prefString(memories: z.infer<typeof MemoryItem>[]): string {
  return memories.map((m) => `- ${m.memory}`).join("\n");
}

/** Validate the filter here, so a bad one is a 400 naming the field before any cube is searched. */
function normalizeOnce(filter: Record<string, unknown>): Record<string, unknown> {
  normalizeFilter(filter);
  return filter;
}

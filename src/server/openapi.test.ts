/**
 * /openapi.json: a valid OpenAPI 3.1 document (checked against the official schema) that lists
 * every route the app serves, each with its request schema and error responses.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture } from "../../test/support/server-fixture.js";

let f: ServerFixture;
beforeAll(async () => {
  f = await serverFixture();
});
afterAll(async () => f?.close());

describe("OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const doc = (await f.call("GET", "/openapi.json")).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("lists every route the app serves (but itself and /docs)", async () => {
    const doc = (await f.call("GET", "/openapi.json")).body;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, object>))
      for (const method of Object.keys(ops))
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    const served = new Set(
      f.app.routes
        .filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path))
        .map((r) => `${r.method} ${r.path}`),
    );
    expect([...served].sort()).toEqual([...documented].sort());
    for (const route of [
      "POST /product/add",
      "POST /product/search",
      "POST /product/get_all",
      "POST /product/get_memory",
      "GET /product/get_memory/:memory_id",
      "POST /product/get_memory_by_ids",
      "POST /product/update_memory",
      "POST /product/delete_memory",
      "POST /product/feedback",
      "POST /product/create_cube",
      "POST /product/register_cube",
      "POST /product/exist_mem_cube_id",
      "POST /product/chat/complete",
      "POST /product/chat/stream",
      "GET /product/scheduler/status",
      "POST /product/scheduler/wait",
      "GET /product/scheduler/wait/stream",
      "GET /users",
      "POST /users",
      "GET /cubes",
      "POST /cubes",
      "POST /cubes/share",
      "POST /cubes/unshare",
      "GET /health",
      "GET /admin/keys",
      "POST /admin/keys",
      "DELETE /admin/keys/:key_id",
    ])
      expect(documented, route).toContain(route);
  });

  it("documents request bodies with MemOS's field names, the bearer scheme and the error shape", async () => {
    const doc = (await f.call("GET", "/openapi.json")).body;
    const add = doc.components.schemas.AddRequest.properties;
    expect(Object.keys(add)).toEqual(
      expect.arrayContaining([
        "user_id",
        "writable_cube_ids",
        "mem_cube_id",
        "messages",
        "session_id",
        "custom_tags",
        "info",
        "async_mode",
        "mode",
      ]),
    );
    const search = doc.components.schemas.SearchRequest.properties;
    expect(Object.keys(search)).toEqual(
      expect.arrayContaining([
        "query",
        "user_id",
        "readable_cube_ids",
        "mode",
        "top_k",
        "relativity",
        "dedup",
        "rerank",
        "include_preference",
        "pref_top_k",
        "filter",
        "session_id",
        "search_memory_type",
        "reference_time",
      ]),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/product/search"].post.responses["429"]).toBeDefined();
    expect(doc.components.schemas.Error.required).toEqual(
      expect.arrayContaining(["code", "message", "error"]),
    );
  });
});

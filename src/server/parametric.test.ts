/**
 * Parametric memory through the server: a cube's active LoRA adapters are its `para_mem` in
 * search results, `get_all` with memory_type "para_mem" lists every adapter, the memory browser's
 * overview shows them, and a user who may not read the cube sees none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import { type ServerFixture, serverFixture } from "../../test/support/server-fixture.js";
import { webExtension } from "./extensions.js";

let f: ServerFixture;
beforeAll(async () => {
  f = await serverFixture({ extensions: [webExtension()] });
  const files = cachedTestGguf();
  await f.mos.add({ userId: "bob", memoryContent: "Bob's cat is called Pixel" });
  const cube = await f.mos.openCube("bob/default", { userId: "bob", action: "write" });
  const para = await cube.enableParametric();
  await para.add(files.loraFile, {
    name: "style",
    description: "Bob's writing style",
    baseModel: files.modelFile,
  });
  await para.add(files.loraFile, { name: "idle", baseModel: files.modelFile });
  await para.activate("style", { scale: 0.5 });
});
afterAll(async () => f?.close());

describe("para_mem over REST and in the memory browser", () => {
  it("POST /product/search returns the cube's active adapters as para_mem (MemOS's item shape)", async () => {
    const r = await f.call("POST", "/product/search", { user_id: "bob", query: "what is the cat called?" });
    expect(r.status).toBe(200);
    expect(r.body.data.para_mem).toEqual([
      {
        cube_id: "bob/default",
        memories: [
          {
            id: "style",
            memory: "Bob's writing style",
            metadata: expect.objectContaining({
              memory_type: "ParametricMemory",
              backend: "lora",
              active: true,
              scale: 0.5,
              base_model: expect.objectContaining({ architecture: "llama", name: "tiny-random-llama" }),
            }),
          },
        ],
      },
    ]);
    // Another user's search does not reveal them.
    const carol = await f.call("POST", "/product/search", { user_id: "carol", query: "cat" });
    expect(carol.body.data.para_mem).toEqual([]);
  });

  it("POST /product/get_all with memory_type para_mem lists every adapter; another user's cube is refused", async () => {
    const r = await f.call("POST", "/product/get_all", {
      user_id: "bob",
      memory_type: "para_mem",
      mem_cube_ids: ["bob/default"],
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([
      {
        cube_id: "bob/default",
        memories: [
          expect.objectContaining({ id: "style", metadata: expect.objectContaining({ active: true }) }),
          expect.objectContaining({
            id: "idle",
            memory: "LoRA adapter idle",
            metadata: expect.objectContaining({ active: false }),
          }),
        ],
        total_nodes: 2,
      },
    ]);
    const denied = await f.call("POST", "/product/get_all", {
      user_id: "carol",
      memory_type: "para_mem",
      mem_cube_ids: ["bob/default"],
    });
    expect(denied.status).toBe(403);
    expect(denied.text).not.toContain("style");
  });

  it("the browser's overview lists the cube's adapters", async () => {
    const r = await f.call("GET", "/web/api/overview?cube=bob/default");
    expect(r.status).toBe(200);
    expect(r.body.lora_adapters.map((a: { id: string }) => a.id)).toEqual(["style", "idle"]);
  });
});

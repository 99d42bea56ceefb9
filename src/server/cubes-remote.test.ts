/**
 * register_cube with a remote .tar.gz (served on loopback): its sha256 is checked before anything
 * is unpacked, the cube is registered to the caller and its memories are searchable; a wrong
 * sha256 registers nothing.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerFixture, serverFixture } from "../../test/support/server-fixture.js";

let f: ServerFixture;
let http: Server;
let url: string;
let sha256: string;
beforeAll(async () => {
  f = await serverFixture();
  await f.mos.add({
    userId: "carol",
    messages: [{ role: "user", content: "The lighthouse keeper is called Ines" }],
  });
  await f.mos.dump("carol/default", join(f.dir, "dumped"), { userId: "carol" });
  execFileSync("tar", ["-czf", join(f.dir, "cube.tar.gz"), "-C", f.dir, "dumped"]);
  const archive = readFileSync(join(f.dir, "cube.tar.gz"));
  sha256 = createHash("sha256").update(archive).digest("hex");
  http = createServer((req, res) =>
    req.url === "/cube.tar.gz" ? res.end(archive) : res.writeHead(404).end(),
  );
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/cube.tar.gz`;
});
afterAll(async () => {
  await new Promise<void>((r) => http?.close(() => r()));
  await f?.close();
});

describe("POST /product/register_cube (remote)", () => {
  it("a wrong sha256 registers nothing; a missing one is a 400", async () => {
    const bad = await f.call("POST", "/product/register_cube", {
      mem_cube_name_or_path: url,
      mem_cube_id: "bob/remote",
      user_id: "bob",
      sha256: "0".repeat(64),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/sha256/);
    const missing = await f.call("POST", "/product/register_cube", {
      mem_cube_name_or_path: url,
      user_id: "bob",
    });
    expect(missing.status).toBe(400);
    expect(f.mos.home.registry.getCube("bob/remote")).toBeUndefined();
  });

  it("a matching sha256 registers the cube to the caller, searchable", async () => {
    const r = await f.call("POST", "/product/register_cube", {
      mem_cube_name_or_path: url,
      mem_cube_id: "bob/remote",
      user_id: "bob",
      sha256,
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ cube_id: "bob/remote", cube_name_or_path: url });
    const found = await f.call("POST", "/product/search", {
      user_id: "bob",
      query: "who keeps the lighthouse?",
      readable_cube_ids: ["bob/remote"],
    });
    expect(found.body.data.text_mem[0].memories[0].memory).toContain("Ines");
  });
});

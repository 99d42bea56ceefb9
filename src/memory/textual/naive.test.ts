import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NaiveTextMemory } from "./naive.js";

describe("NaiveTextMemory", () => {
  it("adds, searches by word overlap, updates with history, deletes, dumps and loads", async () => {
    const mem = new NaiveTextMemory();
    const [a] = await mem.add(["Alice lives in Paris", "Bob plays the cello"], { userId: "u" });
    expect((await mem.search("where does Alice live"))[0]?.item.memory).toBe("Alice lives in Paris");
    expect(await mem.search("nothing matches this")).toEqual([]);
    await expect(mem.search("")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(mem.add([""])).rejects.toBeInstanceOf(InvalidInputError);
    const updated = await mem.update(a?.id as string, { memory: "Alice lives in Lyon" });
    expect(updated.metadata.version).toBe(2);
    expect(updated.metadata.history[0]?.memory).toBe("Alice lives in Paris");
    const dir = mkdtempSync(join(tmpdir(), "memos-naive-"));
    try {
      await mem.dump(dir);
      const copy = new NaiveTextMemory();
      expect(await copy.load(dir)).toBe(2);
      expect((await copy.search("Lyon"))[0]?.item.metadata.version).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await mem.delete([a?.id as string, "missing"])).toBe(1);
    expect((await mem.getAll({ filter: { user_id: "u" } })).length).toBe(1);
  });
});

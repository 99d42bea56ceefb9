import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TextualMemoryExport, TextualMemoryItem } from "./memory.js";

describe("MemOS data model", () => {
  it("decodes JSON-encoded sources and keeps unknown metadata fields", () => {
    const item = TextualMemoryItem.parse({
      id: "c1",
      memory: "The user added a memory.",
      metadata: {
        sources: [
          JSON.stringify(
            JSON.stringify({
              type: "chat",
              role: "user",
              content: "hi",
              chat_time: "08:51 PM on 13 January, 2026",
            }),
          ),
        ],
        confidence: 0.99,
        file_ids: [],
        memory_type: "UserMemory",
      },
    });
    expect(item.metadata.sources[0]).toMatchObject({ type: "chat", role: "user", content: "hi" });
    expect((item.metadata as Record<string, unknown>).file_ids).toEqual([]);
    expect(item.metadata).toMatchObject({ status: "activated", version: 1, history: [], tags: [] });
  });

  it("parses a tree export with edges and rejects unknown edge types", () => {
    const data = TextualMemoryExport.parse({
      nodes: [
        { id: "a", memory: "x", metadata: {} },
        { id: "b", memory: "y", metadata: {} },
      ],
      edges: [{ source: "a", target: "b", type: "PARENT" }],
    });
    expect(data.edges).toHaveLength(1);
    expect(() =>
      TextualMemoryExport.parse({ nodes: [], edges: [{ source: "a", target: "b", type: "LIKES" }] }),
    ).toThrow();
  });

  it("reads the MemOS general-cube fixture's payloads", () => {
    const points = JSON.parse(
      readFileSync(
        new URL("../../../test/fixtures/memos-general-cube/textual_memory.json", import.meta.url),
        "utf8",
      ),
    );
    const item = TextualMemoryItem.parse(points[0].payload);
    expect(item.metadata.memory_time).toBe("2025-04-01");
    expect(item.metadata.confidence).toBe(95);
  });
});

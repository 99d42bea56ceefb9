import { describe, expect, it } from "vitest";
import { parseChatTime } from "./time.js";

describe("parseChatTime", () => {
  it("reads ISO, LoCoMo and MemOS chat times as UTC", () => {
    expect(parseChatTime("2025-03-09T18:40:00Z")).toBe("2025-03-09T18:40:00.000Z");
    expect(parseChatTime("2025-03-09 18:40")).toBe("2025-03-09T18:40:00.000Z");
    expect(parseChatTime("1:56 pm on 8 May, 2023")).toBe("2023-05-08T13:56:00.000Z");
    expect(parseChatTime("08:51 PM on 13 January, 2026")).toBe("2026-01-13T20:51:00.000Z");
    expect(parseChatTime("12:05 am on 1 June, 2024")).toBe("2024-06-01T00:05:00.000Z");
    expect(parseChatTime("May 8, 2023 1:56 PM")).toBe("2023-05-08T13:56:00.000Z");
  });

  it("returns null for what is not a time", () => {
    expect(parseChatTime("")).toBeNull();
    expect(parseChatTime("yesterday")).toBeNull();
    expect(parseChatTime("1:56 pm on 8 Smarch, 2023")).toBeNull();
  });
});

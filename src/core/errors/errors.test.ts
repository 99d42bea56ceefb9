import { describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  AuthenticationError,
  exitCodeFor,
  InvalidInputError,
  MemosError,
  ProviderError,
} from "./index.js";

describe("typed errors", () => {
  it("carry code, message and hint, and are recognised by isInstance", () => {
    const e = new InvalidInputError({ message: "bad", hint: "do this" });
    expect(e).toBeInstanceOf(MemosError);
    expect(InvalidInputError.isInstance(e)).toBe(true);
    expect(AccessDeniedError.isInstance(e)).toBe(false);
    expect(e.toJSON()).toEqual({ code: "invalid_input", message: "bad", hint: "do this" });
    const auth = new AuthenticationError({
      message: "401",
      provider: "openai",
      status: 401,
      hint: "set OPENAI_API_KEY",
    });
    expect(ProviderError.isInstance(auth)).toBe(true);
    expect(auth.code).toBe("auth");
  });

  it("map to CLI exit codes", () => {
    expect(exitCodeFor(new InvalidInputError({ message: "x" }))).toBe(2);
    expect(exitCodeFor(new AccessDeniedError({ message: "x" }))).toBe(3);
    expect(exitCodeFor(new ProviderError({ message: "x" }))).toBe(1);
    expect(exitCodeFor(new Error("x"))).toBe(1);
  });
});

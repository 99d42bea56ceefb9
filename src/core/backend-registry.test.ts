import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createFromConfig, listBackends, registerBackend } from "./backend-registry.js";
import { ConfigError } from "./errors/config-error.js";

describe("backend registry", () => {
  registerBackend(
    "greeter",
    "hello",
    (c) => ({ greet: () => `hello ${c.name}` }),
    z.object({ name: z.string().default("world") }),
  );

  it("resolves {backend, config} through a registered factory with schema defaults", async () => {
    const g = await createFromConfig<{ greet(): string }>("greeter", { backend: "hello", config: {} });
    expect(g.greet()).toBe("hello world");
    expect(listBackends("greeter")).toEqual(["hello"]);
  });

  it("names the known backends when one is unknown, and rejects bad configs", async () => {
    await expect(createFromConfig("greeter", { backend: "nope" })).rejects.toThrow(
      /unknown greeter backend "nope"/,
    );
    const err = (await createFromConfig("greeter", { backend: "nope" }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(ConfigError.isInstance(err)).toBe(true);
    expect(err.hint).toContain("hello");
    await expect(
      createFromConfig("greeter", { backend: "hello", config: { name: 3 } }),
    ).rejects.toBeInstanceOf(ConfigError);
    await expect(createFromConfig("greeter", "hello")).rejects.toBeInstanceOf(ConfigError);
  });
});

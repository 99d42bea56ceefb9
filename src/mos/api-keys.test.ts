/**
 * API keys: shown once, stored only as salted scrypt hashes, bound to a user, one per user;
 * revoking or replacing a key makes it fail at once.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, hasApiKeys, listApiKeys, revokeApiKey, verifyApiKey } from "./api-keys.js";
import { MemosHome } from "./home.js";

let dir: string;
let home: MemosHome;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "memos-keys-"));
  home = (await MemosHome.init(dir, { user: "alice" })).home;
  await home.addUser("bob");
});
afterAll(() => {
  home?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("API keys", () => {
  it("a key verifies as its user; its secret is stored nowhere, only a salted scrypt hash", () => {
    expect(hasApiKeys(home.registry)).toBe(false);
    const { key, key_id, user_id } = createApiKey(home.registry, "bob");
    expect(user_id).toBe("bob");
    expect(key).toMatch(new RegExp(`^memos_${key_id}_[A-Za-z0-9_-]{43}$`));
    expect(verifyApiKey(home.registry, key)?.user_id).toBe("bob");
    const stored = home.registry.getUser("bob")?.api_key_hash ?? "";
    expect(stored).toMatch(/^scrypt\$[0-9a-f]{12}\$/);
    const secret = key.split("_").slice(2).join("_");
    expect(stored).not.toContain(secret);
    home.registry.close();
    const db = readFileSync(join(dir, "registry.db")).toString("latin1");
    expect(db).not.toContain(secret);
    home = MemosHome.open(dir);
    expect(verifyApiKey(home.registry, key)?.user_id).toBe("bob");
  });

  it("two keys get different salts; wrong, malformed and foreign keys fail", () => {
    const a = createApiKey(home.registry, "alice");
    const saltOf = (u: string) => home.registry.getUser(u)?.api_key_hash?.split("$")[3];
    expect(saltOf("alice")).not.toBe(saltOf("bob"));
    expect(
      verifyApiKey(home.registry, `${a.key.slice(0, -1)}${a.key.endsWith("A") ? "B" : "A"}`),
    ).toBeUndefined();
    expect(verifyApiKey(home.registry, "memos_nothex_x")).toBeUndefined();
    expect(verifyApiKey(home.registry, `memos_000000000000_${"A".repeat(43)}`)).toBeUndefined();
  });

  it("lists ids and users, never keys; revoke by id or user; a new key replaces the old", () => {
    const keys = listApiKeys(home.registry);
    expect(keys.map((k) => [k.user_id, k.role])).toEqual([
      ["alice", "root"],
      ["bob", "user"],
    ]);
    expect(JSON.stringify(keys)).not.toContain("scrypt");
    const old = createApiKey(home.registry, "bob");
    const fresh = createApiKey(home.registry, "bob");
    expect(verifyApiKey(home.registry, old.key)).toBeUndefined();
    expect(verifyApiKey(home.registry, fresh.key)?.user_id).toBe("bob");
    expect(revokeApiKey(home.registry, fresh.key_id).user_id).toBe("bob");
    expect(verifyApiKey(home.registry, fresh.key)).toBeUndefined();
    revokeApiKey(home.registry, "alice");
    expect(hasApiKeys(home.registry)).toBe(false);
    expect(() => revokeApiKey(home.registry, "alice")).toThrow(/no API key/);
    expect(() => createApiKey(home.registry, "nobody")).toThrow(/no user/);
  });
});

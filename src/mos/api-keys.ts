import { createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { NotFoundError } from "../core/errors/not-found-error.js";
import { nowIso } from "../core/time.js";
import { requireUser } from "./guard.js";
import type { Registry, UserRecord } from "./registry.js";

/**
 * API keys for the server: one per user, bound to that user (their role decides what the key may
 * do: a root or admin user's key is an admin key). The key is shown once; the registry keeps only
 * `scrypt$<key id>$<created_at>$<salt>$<hash>` in `users.api_key_hash`. The key id (public, in
 * the key itself) finds the row; the salted scrypt hash proves the secret.
 *
 * Key format: `memos_<key id: 12 hex>_<secret: 43 base64url chars>`.
 */

const PREFIX = "memos_";
const KEY = /^memos_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
// scrypt cost: N=2^14, r=8 (the Node default, ~50 ms on one core). Verified keys are cached
// (by a SHA-256 of the key) so the cost is paid once per key and process, not per request.
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const HASH_BYTES = 32;

/** A key as listed: never the key, never its hash. */
export interface ApiKeyInfo {
  key_id: string;
  user_id: string;
  role: UserRecord["role"];
  created_at: string;
}

/** A freshly created key: `key` is shown this once and stored nowhere. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string;
}

interface StoredKey {
  keyId: string;
  createdAt: string;
  salt: Buffer;
  hash: Buffer;
}

function parseStored(value: string | null): StoredKey | undefined {
  if (!value?.startsWith("scrypt$")) return undefined;
  const [, keyId, createdAt, salt, hash] = value.split("$");
  if (!keyId || !createdAt || !salt || !hash) return undefined;
  return { keyId, createdAt, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
}

function scrypt(secret: string, salt: Buffer): Buffer {
  return scryptSync(secret, salt, HASH_BYTES, SCRYPT);
}

/**
 * Issue a key for `userId`, replacing (revoking) the one they had.
 *
 * @example
 * const { key } = createApiKey(home.registry, "alice"); // "memos_3f9a0c1d2e4b_…", shown once
 */
export function createApiKey(registry: Registry, userId: string): CreatedApiKey {
  const user = requireUser(registry, userId);
  const keyId = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const salt = randomBytes(16);
  const createdAt = nowIso();
  const stored = [
    "scrypt",
    keyId,
    createdAt,
    salt.toString("base64"),
    scrypt(secret, salt).toString("base64"),
  ];
  registry.setApiKeyHash(user.user_id, stored.join("$"));
  return {
    key: `${PREFIX}${keyId}_${secret}`,
    key_id: keyId,
    user_id: user.user_id,
    role: user.role,
    created_at: createdAt,
  };
}

/** Every issued key (id, user, role, creation time). */
export function listApiKeys(registry: Registry): ApiKeyInfo[] {
  const out: ApiKeyInfo[] = [];
  for (const u of registry.listUsers()) {
    const stored = parseStored(u.api_key_hash);
    if (stored)
      out.push({ key_id: stored.keyId, user_id: u.user_id, role: u.role, created_at: stored.createdAt });
  }
  return out;
}

/** Whether any key exists (the server then requires one on every call). */
export function hasApiKeys(registry: Registry): boolean {
  return registry.listUsers().some((u) => parseStored(u.api_key_hash) !== undefined);
}

/**
 * Revoke a key by its id or by its user's id; returns the revoked key. Takes effect at once,
 * in every process sharing the home (the server reads the registry on each call).
 */
export function revokeApiKey(registry: Registry, keyIdOrUser: string): ApiKeyInfo {
  const found = listApiKeys(registry).find((k) => k.key_id === keyIdOrUser || k.user_id === keyIdOrUser);
  if (!found) {
    throw new NotFoundError({
      message: `no API key "${keyIdOrUser}"`,
      hint: "list keys with `memos key list` (a key id or a user id)",
    });
  }
  registry.setApiKeyHash(found.user_id, null);
  return found;
}

const verified = new Map<string, string>();

/**
 * The user a presented key belongs to, or undefined for a malformed, unknown or revoked key.
 * Constant-time comparison; a key that verified once is remembered (by digest, together with the
 * stored hash, so revoking or replacing the key invalidates it).
 */
export function verifyApiKey(registry: Registry, presented: string): UserRecord | undefined {
  const m = KEY.exec(presented);
  if (!m) return undefined;
  const [, keyId, secret] = m as unknown as [string, string, string];
  const user = registry.listUsers().find((u) => parseStored(u.api_key_hash)?.keyId === keyId);
  const stored = parseStored(user?.api_key_hash ?? null);
  if (!user || !stored) return undefined;
  const digest = createHash("sha256").update(presented).digest("base64");
  if (verified.get(digest) === user.api_key_hash) return user;
  const actual = scrypt(secret, stored.salt);
  if (actual.length !== stored.hash.length || !timingSafeEqual(actual, stored.hash)) return undefined;
  if (verified.size > 10_000) verified.clear();
  verified.set(digest, user.api_key_hash as string);
  return user;
}

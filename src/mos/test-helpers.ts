import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { AccessDeniedError } from "../core/errors/access-denied-error.js";

/** A fresh temporary directory and a function removing it. */
export function tempDir(prefix = "memos-mos-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Assert that `promise` fails with an AccessDeniedError whose message is one line; returns it. */
export async function expectDenied(promise: Promise<unknown> | (() => unknown)): Promise<AccessDeniedError> {
  let error: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error, "expected an AccessDeniedError, got success").toBeDefined();
  expect(AccessDeniedError.isInstance(error), `expected AccessDeniedError, got ${String(error)}`).toBe(true);
  const denied = error as AccessDeniedError;
  expect(denied.message.split("\n")).toHaveLength(1);
  expect(denied.code).toBe("access_denied");
  return denied;
}

/**
 * The Qdrant REST client (@qdrant/js-client-rest, loaded on first use: a missing package is a
 * MissingDependencyError naming it), and its failures as the library's typed errors.
 */
import { errorMessage, MemosError, StorageError } from "../../core/errors/index.js";
import { importOptional } from "../../providers/shared/lazy.js";

export type QdrantClient = import("@qdrant/js-client-rest").QdrantClient;
export type QdrantSchemas = import("@qdrant/js-client-rest").Schemas;

/** Connection settings (MemOS's keys: url, api_key; host/port build a url). */
export interface QdrantConnectionOptions {
  url: string;
  apiKey?: string;
  /** Milliseconds per request. Default 30 s. */
  timeout?: number;
}

/** Make a client (no request yet: the store's first call checks the collection). */
export async function connectQdrant(options: QdrantConnectionOptions): Promise<QdrantClient> {
  const { QdrantClient } = await importOptional<typeof import("@qdrant/js-client-rest")>(
    "@qdrant/js-client-rest",
    "the Qdrant store",
  );
  // checkCompatibility would spend a request on the server version; the store asks for what it uses.
  return new QdrantClient({
    url: options.url,
    apiKey: options.apiKey,
    timeout: options.timeout ?? 30_000,
    checkCompatibility: false,
  });
}

/** A client failure as a StorageError saying what to check. */
export function toQdrantError(error: unknown, url: string, doing: string): Error {
  if (MemosError.isInstance(error)) return error;
  const status = (error as { status?: unknown } | null)?.status;
  const message = errorMessage(error);
  const detail = (error as { data?: { status?: { error?: string } } } | null)?.data?.status?.error;
  return new StorageError({
    message: `Qdrant at ${url}: ${doing} failed: ${detail ?? message}`,
    hint:
      status === undefined
        ? "is the server running, and is the url (http://host:6333) right?"
        : status === 401 || status === 403
          ? "check the api_key"
          : `Qdrant answered HTTP ${String(status)}`,
    cause: error,
  });
}

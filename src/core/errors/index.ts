export { AccessDeniedError } from "./access-denied-error.js";
export { ConfigError } from "./config-error.js";
export { InvalidInputError } from "./invalid-input-error.js";
export { MemosError, type MemosErrorCode, type MemosErrorOptions } from "./memos-error.js";
export { MissingDependencyError } from "./missing-dependency-error.js";
export { NotFoundError } from "./not-found-error.js";
export { ProviderError } from "./provider-error.js";
export { StorageError } from "./storage-error.js";
export { exitCodeFor } from "./exit-code.js";

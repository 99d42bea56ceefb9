/**
 * MOS: users, roles, the cube registry with its ACL, memory operations across cubes, and chat.
 *
 * @module
 */
export {
  type AclCube,
  type AclUser,
  allowedActions,
  authorize,
  authorizeCubeCreation,
  authorizeUserCreation,
  isAllowed,
} from "./acl.js";
export type { CubeInfo, UserInfo } from "./admin.js";
export type { ChatOptions, ChatResult, ChatStream } from "./chat.js";
export type { ChatTurnMessage } from "./chat-history.js";
export { buildSystemPrompt, CITATION_RULES, DEFAULT_BASE_PROMPT, type PromptMemory } from "./chat-prompt.js";
export { type Citation, type DroppedCitation, parseCitations } from "./citations.js";
export { LLM_ENV_HINT, LLM_HINT } from "./cube-ops.js";
export type { LoadResult } from "./cube-transfer.js";
export { accessibleCubes, requireCubeAccess, resolveCubeId, scopeCubes } from "./guard.js";
export { type CreateCubeOptions, MemosHome } from "./home.js";
export { checkDatabase, type DatabaseIntegrityReport } from "./integrity.js";
export type {
  AddResult,
  LocatedMemory,
  MemoryScope,
  MOSAddOptions,
  MOSSearchOptions,
} from "./memories.js";
export { MOS, type MOSOptions } from "./mos.js";
export { checkNamespace } from "./names.js";
export { type PreferenceSearchable, preferenceMemoryOf } from "./preference-seam.js";
export { type CubeRecord, Registry, type ShareRecord, type UserRecord } from "./registry.js";
export { Action, isAdminRole, Permission, Role } from "./roles.js";
export type { CubeFailure, CubeMemories, MOSSearchResult } from "./search-result.js";

export { CUBE_MODEL_SCHEMA, type CubeTextBackend, defaultCubeConfig, MemCubeConfig } from "./config.js";
export { MemCube, readCubeConfig } from "./mem-cube.js";
export { type MemoryBackendContext, withCubePaths } from "./memory-backends/context.js";
export { openPreferenceMemory, PREFERENCE_MEMORY_BACKENDS } from "./memory-backends/pref-backends.js";
export {
  type CubeTextMemory,
  type OpenTextMemoryOptions,
  openTextMemory,
  TreeTextConfig,
  treeStoreConfig,
} from "./memory-backends/text-backends.js";
export { type FetchedCube, fetchRemoteCube, type RemoteCubeOptions } from "./remote.js";

export { CUBE_MODEL_SCHEMA, type CubeTextBackend, defaultCubeConfig, MemCubeConfig } from "./config.js";
export { MemCube, readCubeConfig } from "./mem-cube.js";
export { openPreferenceMemory, PREFERENCE_MEMORY_BACKENDS } from "./preference-memory.js";
export { type FetchedCube, fetchRemoteCube, type RemoteCubeOptions } from "./remote.js";
export {
  type CubeTextMemory,
  type OpenTextMemoryOptions,
  openTextMemory,
  TreeTextConfig,
  treeStoreConfig,
} from "./text-memory.js";

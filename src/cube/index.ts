export { CUBE_MODEL_SCHEMA, type CubeTextBackend, defaultCubeConfig, MemCubeConfig } from "./config.js";
export { MemCube, readCubeConfig } from "./mem-cube.js";
export { type CubeTextMemory, openTextMemory, type OpenTextMemoryOptions, TreeTextConfig, treeStoreConfig } from "./text-memory.js";
export { openPreferenceMemory, PREFERENCE_MEMORY_BACKENDS } from "./preference-memory.js";
export { fetchRemoteCube, type FetchedCube, type RemoteCubeOptions } from "./remote.js";

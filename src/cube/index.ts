export { CUBE_MODEL_SCHEMA, defaultCubeConfig, MemCubeConfig } from "./config.js";
export { MemCube, readCubeConfig } from "./mem-cube.js";

/** Vector size used throughout. `makeStore` must return an empty store whose dimension is unset or this. */
export const CONFORMANCE_DIMENSIONS = 8;

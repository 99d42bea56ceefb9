// Side-effect module: registers the backends that need no optional dependency, so that
// `{backend: "glove"}` and `{backend: "sqlite"}` resolve wherever a config names them.
import "./embedder/glove/register.js";
import "../storage/register-sqlite.js";

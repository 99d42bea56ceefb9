// Side-effect module: every built-in provider and the embedded SQLite store, for the layers
// above that resolve configs (cube, mos). Providers alone: ./register-all.ts.
import "./register-all.js";
import "../storage/register-sqlite.js";

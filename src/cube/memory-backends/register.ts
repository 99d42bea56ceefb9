/**
 * Registers the memory types a cube section can name: `text_mem` (general_text, tree_text,
 * naive_text), `pref_mem` (pref_text, preference) and `para_mem` (lora). Activation memory
 * registers here when it exists. A new memory type is one file with its `registerBackend` call, plus one
 * line here.
 *
 * @module
 */
import "./para-backends.js";
import "./pref-backends.js";
import "./text-backends.js";

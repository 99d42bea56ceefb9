/**
 * Registers the memory types a cube section can name: `text_mem` (general_text, tree_text,
 * naive_text) and `pref_mem` (pref_text, preference). Activation and parametric memory register
 * here when they exist. A new memory type is one file with its `registerBackend` call, plus one
 * line here.
 *
 * @module
 */
import "./act-backends.js";
import "./pref-backends.js";
import "./text-backends.js";

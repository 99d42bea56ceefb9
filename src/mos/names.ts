import { InvalidInputError } from "../core/errors/invalid-input-error.js";

// Cube ids like "alice/notes" are allowed ("/" is mapped to "__" on disk); ".." never is.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,127}$/;

/**
 * Validate a user name or cube id: letters, digits and `. _ - @ /`, at most 128 characters,
 * starting with a letter or digit, never containing "..".
 *
 * @example
 * checkName("alice/notes", "cube"); // "alice/notes"
 * checkName("../etc", "cube");      // throws InvalidInputError
 */
export function checkName(name: string, what: "user" | "cube"): string {
  if (!NAME.test(name) || name.includes("..")) {
    throw new InvalidInputError({
      message: `invalid ${what} ${what === "user" ? "name" : "id"} "${name}"`,
      hint: "use letters, digits and . _ - @ / (at most 128 characters)",
    });
  }
  return name;
}

/**
 * The id of a cube named `name` for `owner`: a name holding "/" is already an id; otherwise
 * `owner/name`, the shape `memos init` gives default cubes ("alice/default").
 *
 * @example
 * cubeIdFor("notes", "alice");     // "alice/notes"
 * cubeIdFor("team/notes", "alice"); // "team/notes"
 */
export function cubeIdFor(name: string, owner: string): string {
  return name.includes("/") ? name : `${owner}/${name}`;
}

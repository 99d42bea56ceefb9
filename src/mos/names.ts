import { AccessDeniedError } from "../core/errors/access-denied-error.js";
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

/**
 * A cube id's namespace belongs to its owner: "alice/notes" may only be owned by "alice" (an
 * admin may create it for her, never for someone else). Ids without "/" are outside every
 * namespace (MemOS dumps use them) and pass.
 *
 * @example
 * checkNamespace("alice/notes", "alice"); // ok
 * checkNamespace("alice/notes", "bob");   // throws AccessDeniedError
 */
export function checkNamespace(cubeId: string, owner: string): void {
  const slash = cubeId.indexOf("/");
  if (slash < 0) return;
  const space = cubeId.slice(0, slash);
  if (space !== owner) {
    throw new AccessDeniedError({
      message: `cube id "${cubeId}" is in the namespace of user "${space}"; a cube owned by "${owner}" may not take it`,
      hint: `name it "${owner}/${cubeId.slice(slash + 1)}" (or just "${cubeId.slice(slash + 1)}")`,
    });
  }
}

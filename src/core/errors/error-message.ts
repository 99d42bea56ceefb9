/**
 * The message of whatever was thrown: an Error's message, else the value as text. For warnings
 * and logs that must say why something failed without assuming what was thrown.
 *
 * @example
 * warnings.push(`reorganize failed: ${errorMessage(error)}`);
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

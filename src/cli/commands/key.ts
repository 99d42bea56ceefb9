import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../mos/api-keys.js";
import { MemosHome } from "../../mos/home.js";
import { type CliIO, printJson } from "../io.js";

type KeyOptions = { dir?: string; json?: boolean };

async function withHome<T>(opts: KeyOptions, body: (home: MemosHome) => T): Promise<T> {
  const home = MemosHome.open(MemosHome.resolveDir(opts.dir));
  try {
    return body(home);
  } finally {
    home.close();
  }
}

/**
 * `memos key create --user U` (the key is printed once; a root or admin user's key is an admin
 * key), `memos key list`, `memos key revoke KEY_ID | --user U`. Keys are stored as salted scrypt
 * hashes in the home's registry; one key per user (creating another replaces it).
 */
export function registerKey(program: Command, io: CliIO): void {
  const key = program.command("key").description("API keys for `memos serve` (stored hashed; one per user)");

  key
    .command("create")
    .description("issue a key for a user (replaces their old key); printed once")
    .requiredOption("--user <name>", "the user the key acts as")
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos)")
    .option("--json", "print exact JSON")
    .action(async (opts: KeyOptions & { user: string }) => {
      const created = await withHome(opts, (home) => createApiKey(home.registry, opts.user));
      if (opts.json) printJson(io, created);
      else {
        io.stdout(`${created.key}\n`);
        io.stderr(
          `API key ${created.key_id} for ${created.role} "${created.user_id}"${created.role === "root" || created.role === "admin" ? " (admin key)" : ""}: shown only now, store it safely\n`,
        );
      }
    });

  key
    .command("list")
    .description("list keys (ids and users, never the keys)")
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos)")
    .option("--json", "print exact JSON")
    .action(async (opts: KeyOptions) => {
      const keys = await withHome(opts, (home) => listApiKeys(home.registry));
      if (opts.json) printJson(io, { keys });
      else if (keys.length === 0)
        io.stdout("No API keys (the server listens on 127.0.0.1 only and trusts local callers)\n");
      else for (const k of keys) io.stdout(`${k.key_id}\t${k.user_id}\t${k.role}\t${k.created_at}\n`);
    });

  key
    .command("revoke")
    .argument("[key_id]", "the key's id (see memos key list)")
    .description("revoke a key, at once, for every server on this home")
    .option("--user <name>", "revoke this user's key")
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos)")
    .option("--json", "print exact JSON")
    .action(async (keyId: string | undefined, opts: KeyOptions & { user?: string }) => {
      const target = keyId ?? opts.user;
      if (!target)
        throw new InvalidInputError({
          message: "which key?",
          hint: "memos key revoke KEY_ID, or --user NAME",
        });
      const revoked = await withHome(opts, (home) => revokeApiKey(home.registry, target));
      if (opts.json) printJson(io, { revoked });
      else io.stdout(`Revoked key ${revoked.key_id} of "${revoked.user_id}"\n`);
    });
}

import type Database from "better-sqlite3";

/**
 * Schema of MEMOS_HOME/registry.db, one step per version (`PRAGMA user_version`). Steps only
 * ever get appended: a home written by an older version is upgraded in place on open.
 */
const STEPS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE users (
    user_id      TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('root', 'admin', 'user', 'guest')),
    created_at   TEXT NOT NULL,
    default_cube TEXT REFERENCES cubes(cube_id) ON DELETE SET NULL,
    api_key_hash TEXT UNIQUE
  );
  CREATE TABLE cubes (
    cube_id    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    owner      TEXT NOT NULL REFERENCES users(user_id),
    path       TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX cubes_owner ON cubes(owner);
  CREATE TABLE shares (
    cube_id    TEXT NOT NULL REFERENCES cubes(cube_id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    permission TEXT NOT NULL CHECK (permission IN ('read', 'write')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (cube_id, user_id)
  );
  CREATE INDEX shares_user ON shares(user_id);
  CREATE TABLE chat_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content    TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX chat_messages_session ON chat_messages(user_id, session_id, id);
  `,
];

/** The schema version this code writes. */
export const REGISTRY_SCHEMA_VERSION = STEPS.length;

/**
 * Bring the database to the current schema inside one IMMEDIATE transaction, so two processes
 * opening a fresh home at once cannot both create the tables.
 */
export function migrateRegistry(db: Database.Database): void {
  // Up to date (the usual case): no write lock, so read-only commands never wait on writers.
  if ((db.pragma("user_version", { simple: true }) as number) >= STEPS.length) return;
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    for (let v = version; v < STEPS.length; v++) db.exec(STEPS[v] as string);
    if (version < STEPS.length) db.pragma(`user_version = ${STEPS.length}`);
  }).immediate();
}

/**
 * The ticket database's schema, as an ordered list of migrations, and the code that applies the
 * missing ones (each once, in its own transaction, recorded in `schema_migrations`):
 *
 * - `tickets`: the original README's table (`ticket_id` primary key, description,
 *   department, priority, status, created_at, updated_at) plus the source ticket id (UNIQUE),
 *   the customer id and a summary.
 * - `audit`: one row per create, update and status change (time, actor, action, before/after
 *   JSON, and the source ticket that caused it).
 * - `ticket_sequence`: the counter behind the `TK-000001` ids.
 * - `schema_migrations`: the versions applied, from the ordered `migrations` list.
 */
import type { DatabaseSync } from "node:sqlite"

/** One step of the schema: applied once, in its own transaction. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/** Applied in order, each once, each in its own transaction. Never edit one that shipped: add one. */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "create_tickets",
    sql: `
      CREATE TABLE tickets (
        ticket_id TEXT PRIMARY KEY,
        source_ticket_id TEXT NOT NULL UNIQUE,
        customer_id TEXT NOT NULL,
        description TEXT NOT NULL,
        summary TEXT NOT NULL,
        department TEXT NOT NULL,
        priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
        status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX tickets_customer_status ON tickets (customer_id, status);
      CREATE INDEX tickets_status_updated ON tickets (status, updated_at);
      CREATE TABLE ticket_sequence (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
      INSERT INTO ticket_sequence (name, value) VALUES ('tickets', 0);
    `
  },
  {
    version: 2,
    name: "create_audit",
    sql: `
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'status_change')),
        before TEXT,
        after TEXT,
        source_ticket_id TEXT
      ) STRICT;
      CREATE INDEX audit_ticket ON audit (ticket_id, id);
      CREATE INDEX audit_source ON audit (source_ticket_id);
    `
  }
]

/** The version a database has once every migration of this build is applied. */
export const latestSchemaVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0)

/** Runs `body` in a write transaction: `BEGIN IMMEDIATE`, then `COMMIT`, or `ROLLBACK` if it throws. */
export const inTransaction = <A>(db: DatabaseSync, body: () => A): A => {
  db.exec("BEGIN IMMEDIATE")
  try {
    const result = body()
    db.exec("COMMIT")
    return result
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK")
    throw error
  }
}

/** Applies the migrations that are missing; fails when the database is newer than this build. */
export const migrate = (db: DatabaseSync): number => {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`)
  const current = currentVersion(db)
  if (current > latestSchemaVersion) {
    throw new Error(
      `the ticket database has schema version ${current}, newer than this build knows (${latestSchemaVersion})`
    )
  }
  const applied = db.prepare("SELECT 1 AS applied FROM schema_migrations WHERE version = ?")
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    inTransaction(db, () => {
      // Checked inside the transaction: another process may have applied it meanwhile.
      if (applied.get(migration.version) !== undefined) return
      db.exec(migration.sql)
      record.run(migration.version, migration.name, new Date().toISOString())
    })
  }
  return currentVersion(db)
}

/** The highest migration version applied (0 on a new database). */
export const currentVersion = (db: DatabaseSync): number => {
  const row = db.prepare("SELECT MAX(version) AS version FROM schema_migrations").get()
  const version = row?.["version"]
  return typeof version === "number" ? version : 0
}

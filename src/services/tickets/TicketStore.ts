/**
 * The escalation ticket store: the port, and its SQLite implementation on `node:sqlite`
 * (`DatabaseSync`, built into Node).
 *
 * - `tickets`: the original README's table (`ticket_id` primary key, description,
 *   department, priority, status, created_at, updated_at) plus the source ticket id (UNIQUE),
 *   the customer id and a summary.
 * - `audit`: one row per create, update and status change (time, actor, action, before/after
 *   JSON, and the source ticket that caused it).
 * - `ticket_sequence`: the counter behind the `TK-000001` ids.
 * - `schema_migrations`: the versions applied, from the ordered `migrations` list.
 *
 * Every operation is one synchronous transaction (`BEGIN IMMEDIATE` … `COMMIT`) inside one
 * `Effect.try`: nothing else runs on the thread in between, and other processes wait for the
 * write lock (`busy_timeout`). Creating is idempotent: a source ticket that already has a
 * ticket gets that ticket back (a lookup, with the UNIQUE constraint behind it).
 */
import { Clock, Config, Context, Effect, Layer, Option, Predicate, Schema } from "effect"
import { createRequire } from "node:module"
import type { DatabaseSync } from "node:sqlite"
import {
  type AuditEntry,
  AuditEntry as AuditEntrySchema,
  canTransition,
  type Department,
  EscalationTicket as EscalationTicketSchema,
  type EscalationTicket,
  formatTicketId,
  OpenStatuses,
  TicketStatus
} from "../../domain/Escalation.ts"
import type { Priority } from "../../domain/Events.ts"

// ---------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------

/** The ticket database failed (opening, migrating, reading or writing). */
export class TicketStoreError extends Schema.TaggedError<TicketStoreError>()("TicketStoreError", {
  operation: Schema.String,
  message: Schema.String,
  /** A busy or locked database: trying again may help. */
  retryable: Schema.Boolean
}) {}

/** No tracked ticket has that id. */
export class TicketNotFound extends Schema.TaggedError<TicketNotFound>()("TicketNotFound", {
  ticket_id: Schema.String
}) {
  override get message(): string {
    return `no ticket ${this.ticket_id}`
  }
}

/** A status change the ticket's current status does not allow (see `canTransition`). */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  ticket_id: Schema.String,
  from: TicketStatus,
  to: TicketStatus
}) {
  override get message(): string {
    return `ticket ${this.ticket_id} cannot go from ${this.from} to ${this.to}`
  }
}

/** A ticket to create, with the source event it comes from (creating it twice is harmless). */
export interface NewTicket {
  readonly source_ticket_id: string
  readonly customer_id: string
  readonly description: string
  readonly summary: string
  readonly department: Department
  readonly priority: Priority
  /** Who creates it (`escalation-agent`, `escalation-fallback`). */
  readonly actor: string
  /** Recorded in the audit row (e.g. why the fallback made it). */
  readonly note?: string | undefined
}

/** What creating a ticket gave: the ticket, and whether it was new or one of the same source already. */
export interface CreateResult {
  readonly ticket: EscalationTicket
  /** `false` when the source ticket already had a ticket (which is returned). */
  readonly created: boolean
}

/** A change to a tracked ticket: the fields to set, who makes it, and why. */
export interface TicketChange {
  readonly actor: string
  readonly note?: string | undefined
  readonly status?: TicketStatus | undefined
  readonly priority?: Priority | undefined
  /** The source ticket that caused the change (a follow-up), recorded in the audit. */
  readonly source_ticket_id?: string | undefined
}

/** Which tickets `TicketStore.list` returns. */
export interface TicketFilter {
  readonly status?: TicketStatus | undefined
  readonly department?: Department | undefined
  readonly customer_id?: string | undefined
  /** Default 100, at most 1000. */
  readonly limit?: number | undefined
}

/** A source ticket already handled: the ticket it created, or the open ticket it updated. */
export interface SourceOutcome {
  readonly ticket: EscalationTicket
  readonly action: "created" | "updated"
  readonly actor: string
}

/** The tracked tickets port: create, read, change and list tickets, each change with its audit entry. `layerSqliteTicketStore` implements it. */
export class TicketStore extends Context.Service<TicketStore, {
  /** Creates the ticket of a source ticket, or returns the one it already has. */
  readonly create: (ticket: NewTicket) => Effect.Effect<CreateResult, TicketStoreError>
  /** The ticket with id `ticketId`, if there is one. */
  readonly get: (ticketId: string) => Effect.Effect<Option.Option<EscalationTicket>, TicketStoreError>
  /** Oldest first. */
  readonly audit: (ticketId: string) => Effect.Effect<ReadonlyArray<AuditEntry>, TicketStoreError>
  /** Most recently updated first. */
  readonly list: (filter: TicketFilter) => Effect.Effect<ReadonlyArray<EscalationTicket>, TicketStoreError>
  /** The customer's tickets that are open or in progress, most recently updated first. */
  readonly findOpen: (customerId: string) => Effect.Effect<ReadonlyArray<EscalationTicket>, TicketStoreError>
  /** What an already handled source ticket led to (for redeliveries). */
  readonly findBySource: (sourceTicketId: string) => Effect.Effect<Option.Option<SourceOutcome>, TicketStoreError>
  /** Adds a note, changes the priority and/or the status (checked against the transitions). */
  readonly update: (
    ticketId: string,
    change: TicketChange
  ) => Effect.Effect<EscalationTicket, TicketStoreError | TicketNotFound | InvalidTransition>
  /** The highest migration version applied. */
  readonly schemaVersion: Effect.Effect<number, TicketStoreError>
}>()("support-agents/TicketStore") {}

// ---------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------

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

export const latestSchemaVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0)

// ---------------------------------------------------------------------------
// SQLite plumbing
// ---------------------------------------------------------------------------

/** SQLite's primary result codes for a database another connection holds. */
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6

const sqliteCode = (error: unknown): number | undefined =>
  Predicate.hasProperty(error, "errcode") && typeof error.errcode === "number" ? error.errcode & 0xff : undefined

const storeError = (operation: string, error: unknown): TicketStoreError => {
  const code = sqliteCode(error)
  return new TicketStoreError({
    operation,
    message: (error instanceof Error ? error.message : String(error)).slice(0, 500),
    retryable: code === SQLITE_BUSY || code === SQLITE_LOCKED
  })
}

/** Runs `body` in a write transaction: `BEGIN IMMEDIATE`, then `COMMIT`, or `ROLLBACK` if it throws. */
const inTransaction = <A>(db: DatabaseSync, body: () => A): A => {
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

const decodeTicket = Schema.decodeUnknownSync(EscalationTicketSchema)
const decodeAudit = Schema.decodeUnknownSync(AuditEntrySchema)

const parseJsonColumn = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : null)

const auditFromRow = (row: Record<string, unknown>): AuditEntry =>
  decodeAudit({ ...row, before: parseJsonColumn(row["before"]), after: parseJsonColumn(row["after"]) })

const jsonOrNull = (value: Record<string, unknown> | null): string | null => value === null ? null : JSON.stringify(value)

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

const currentVersion = (db: DatabaseSync): number => {
  const row = db.prepare("SELECT MAX(version) AS version FROM schema_migrations").get()
  const version = row?.["version"]
  return typeof version === "number" ? version : 0
}

/** Where the SQLite store keeps its tickets. */
export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string
  /** How long to wait for another connection's write lock, in milliseconds. Default 5000. */
  readonly busyTimeoutMs?: number | undefined
}

/**
 * `node:sqlite`, loaded when a store is first opened rather than when this module is imported:
 * Node 22 prints an ExperimentalWarning when it loads `node:sqlite` (Node 24 does not), and
 * only the processes that use the store should show it.
 */
const sqlite = (): typeof import("node:sqlite") => createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite")

/** Opens (creating if needed) and migrates the database. */
export const openTicketDatabase = (options: SqliteStoreOptions): DatabaseSync => {
  const db = new (sqlite().DatabaseSync)(options.path, { timeout: options.busyTimeoutMs ?? 5_000 })
  try {
    if (options.path !== ":memory:") db.exec("PRAGMA journal_mode = WAL")
    db.exec("PRAGMA foreign_keys = ON")
    migrate(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

// ---------------------------------------------------------------------------
// The SQLite implementation
// ---------------------------------------------------------------------------

const ticketColumns =
  "ticket_id, source_ticket_id, customer_id, description, summary, department, priority, status, created_at, updated_at"

/** The store over an open, migrated database (which the caller closes). */
export const makeSqliteTicketStore = (db: DatabaseSync): TicketStore["Service"] => {
  const selectTicket = db.prepare(`SELECT ${ticketColumns} FROM tickets WHERE ticket_id = ?`)
  const selectBySource = db.prepare(`SELECT ${ticketColumns} FROM tickets WHERE source_ticket_id = ?`)
  const nextNumber = db.prepare("UPDATE ticket_sequence SET value = value + 1 WHERE name = 'tickets' RETURNING value")
  const insertTicket = db.prepare(
    `INSERT INTO tickets (${ticketColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`
  )
  const insertAudit = db.prepare(
    "INSERT INTO audit (ticket_id, at, actor, action, before, after, source_ticket_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
  )
  const selectAudit = db.prepare(
    "SELECT id, ticket_id, at, actor, action, before, after, source_ticket_id FROM audit WHERE ticket_id = ? ORDER BY id"
  )
  const selectUpdateBySource = db.prepare(
    "SELECT ticket_id, actor FROM audit WHERE source_ticket_id = ? AND action = 'update' ORDER BY id LIMIT 1"
  )
  const selectCreateActor = db.prepare(
    "SELECT actor FROM audit WHERE ticket_id = ? AND action = 'create' ORDER BY id LIMIT 1"
  )
  const openPlaceholders = OpenStatuses.map(() => "?").join(", ")
  const selectOpen = db.prepare(
    `SELECT ${ticketColumns} FROM tickets WHERE customer_id = ? AND status IN (${openPlaceholders}) ORDER BY updated_at DESC, ticket_id DESC`
  )
  const updateTicket = db.prepare("UPDATE tickets SET priority = ?, status = ?, updated_at = ? WHERE ticket_id = ?")

  const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString())

  const run = <A>(operation: string, body: () => A): Effect.Effect<A, TicketStoreError> =>
    Effect.try({ try: body, catch: (error) => storeError(operation, error) })

  const ticketRow = (row: Record<string, unknown> | undefined): EscalationTicket | undefined =>
    row === undefined ? undefined : decodeTicket(row)

  const create = (input: NewTicket) =>
    Effect.flatMap(now, (at) =>
      run("create", (): CreateResult =>
        inTransaction(db, () => {
          const existing = ticketRow(selectBySource.get(input.source_ticket_id))
          if (existing !== undefined) return { ticket: existing, created: false }
          const number = nextNumber.get()?.["value"]
          if (typeof number !== "number") throw new Error("the ticket sequence is missing")
          const ticketId = formatTicketId(number)
          insertTicket.run(
            ticketId,
            input.source_ticket_id,
            input.customer_id,
            input.description,
            input.summary,
            input.department,
            input.priority,
            at,
            at
          )
          const ticket = ticketRow(selectTicket.get(ticketId))!
          insertAudit.run(
            ticketId,
            at,
            input.actor,
            "create",
            null,
            jsonOrNull({ ...ticket, ...(input.note === undefined ? {} : { note: input.note }) }),
            input.source_ticket_id
          )
          return { ticket, created: true }
        })))

  const update = (ticketId: string, change: TicketChange) =>
    Effect.flatMap(now, (at) =>
      Effect.flatMap(
        run("update", () =>
          inTransaction(db, (): EscalationTicket | TicketNotFound | InvalidTransition => {
            const before = ticketRow(selectTicket.get(ticketId))
            if (before === undefined) return new TicketNotFound({ ticket_id: ticketId })
            const status = change.status ?? before.status
            if (change.status !== undefined && !canTransition(before.status, change.status)) {
              return new InvalidTransition({ ticket_id: ticketId, from: before.status, to: change.status })
            }
            const priority = change.priority ?? before.priority
            const priorityChanged = priority !== before.priority
            if (change.note === undefined && !priorityChanged && status === before.status) return before
            updateTicket.run(priority, status, at, ticketId)
            const source = change.source_ticket_id ?? null
            if (change.note !== undefined || priorityChanged) {
              insertAudit.run(
                ticketId,
                at,
                change.actor,
                "update",
                jsonOrNull(priorityChanged ? { priority: before.priority } : null),
                jsonOrNull({
                  ...(change.note === undefined ? {} : { note: change.note }),
                  ...(priorityChanged ? { priority } : {})
                }),
                source
              )
            }
            if (status !== before.status) {
              insertAudit.run(
                ticketId,
                at,
                change.actor,
                "status_change",
                jsonOrNull({ status: before.status }),
                jsonOrNull({ status }),
                source
              )
            }
            return ticketRow(selectTicket.get(ticketId))!
          })),
        (result) =>
          result instanceof TicketNotFound || result instanceof InvalidTransition
            ? Effect.fail(result)
            : Effect.succeed(result)
      ))

  const list = (filter: TicketFilter) =>
    run("list", () => {
      const clauses: Array<string> = []
      const params: Array<string | number> = []
      if (filter.status !== undefined) {
        clauses.push("status = ?")
        params.push(filter.status)
      }
      if (filter.department !== undefined) {
        clauses.push("department = ?")
        params.push(filter.department)
      }
      if (filter.customer_id !== undefined) {
        clauses.push("customer_id = ?")
        params.push(filter.customer_id)
      }
      const where = clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`
      const limit = Math.min(1000, Math.max(1, Math.floor(filter.limit ?? 100)))
      params.push(limit)
      return db.prepare(`SELECT ${ticketColumns} FROM tickets ${where} ORDER BY updated_at DESC, ticket_id DESC LIMIT ?`)
        .all(...params)
        .map((row) => decodeTicket(row))
    })

  const findBySource = (sourceTicketId: string) =>
    run("findBySource", (): Option.Option<SourceOutcome> => {
      const created = ticketRow(selectBySource.get(sourceTicketId))
      if (created !== undefined) {
        const actor = selectCreateActor.get(created.ticket_id)?.["actor"]
        return Option.some({ ticket: created, action: "created", actor: typeof actor === "string" ? actor : "" })
      }
      const updated = selectUpdateBySource.get(sourceTicketId)
      const ticketId = updated?.["ticket_id"]
      if (typeof ticketId !== "string") return Option.none()
      const ticket = ticketRow(selectTicket.get(ticketId))
      if (ticket === undefined) return Option.none()
      const actor = updated?.["actor"]
      return Option.some({ ticket, action: "updated", actor: typeof actor === "string" ? actor : "" })
    })

  return TicketStore.of({
    create,
    get: (ticketId) => run("get", () => Option.fromUndefinedOr(ticketRow(selectTicket.get(ticketId)))),
    audit: (ticketId) => run("audit", () => selectAudit.all(ticketId).map(auditFromRow)),
    list,
    findOpen: (customerId) => run("findOpen", () => selectOpen.all(customerId, ...OpenStatuses).map((row) => decodeTicket(row))),
    findBySource,
    update,
    schemaVersion: run("schemaVersion", () => currentVersion(db))
  })
}

/** The SQLite store as a Layer: the database is opened and migrated on build, closed on release. */
export const layerSqliteTicketStore = (options: SqliteStoreOptions): Layer.Layer<TicketStore, TicketStoreError> =>
  Layer.effect(
    TicketStore,
    Effect.map(
      Effect.acquireRelease(
        Effect.try({ try: () => openTicketDatabase(options), catch: (error) => storeError("open", error) }),
        (db) => Effect.sync(() => db.close())
      ),
      makeSqliteTicketStore
    )
  )

/** `ESCALATION_TICKET_DATABASE_PATH` (default `./tickets.db`; `:memory:` for a throwaway store). */
export const TicketDatabaseConfig = Config.String("ESCALATION_TICKET_DATABASE_PATH").pipe(
  Config.withDefault("./tickets.db")
)

/** The SQLite store at `TICKET_DB_PATH` (see `TicketDatabaseConfig`). */
export const layerTicketStoreFromConfig: Layer.Layer<TicketStore, TicketStoreError | Config.ConfigError> = Layer.unwrap(
  Effect.map(TicketDatabaseConfig, (path) => layerSqliteTicketStore({ path }))
)

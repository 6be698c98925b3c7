/**
 * The ticket store on SQLite, through `node:sqlite` (`DatabaseSync`, built into Node): the
 * adapter of the `TicketStore` port, and `TicketDatabaseConfig`, where it keeps its file.
 *
 * Every operation is one synchronous transaction (`BEGIN IMMEDIATE` … `COMMIT`) inside one
 * `Effect.try`: nothing else runs on the thread in between, and other processes wait for the
 * write lock (`busy_timeout`). Creating is idempotent: a source ticket that already has a
 * ticket gets that ticket back (a lookup, with the UNIQUE constraint behind it). The database
 * is migrated when it is opened (`TicketMigrations.ts`).
 */
import { Clock, Config, Effect, Layer, Option, Predicate, Schema } from "effect"
import { createRequire } from "node:module"
import type { DatabaseSync } from "node:sqlite"
import {
  type AuditEntry,
  AuditEntry as AuditEntrySchema,
  canTransition,
  EscalationTicket as EscalationTicketSchema,
  type EscalationTicket,
  formatTicketId,
  OpenStatuses
} from "../../domain/Escalation.ts"
import { currentVersion, inTransaction, migrate } from "./TicketMigrations.ts"
import {
  type CreateResult,
  InvalidTransition,
  type NewTicket,
  type SourceOutcome,
  type TicketChange,
  type TicketFilter,
  TicketNotFound,
  TicketStore,
  TicketStoreError
} from "./TicketStore.ts"

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

const decodeTicket = Schema.decodeUnknownSync(EscalationTicketSchema)
const decodeAudit = Schema.decodeUnknownSync(AuditEntrySchema)

const parseJsonColumn = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : null)

const auditFromRow = (row: Record<string, unknown>): AuditEntry =>
  decodeAudit({ ...row, before: parseJsonColumn(row["before"]), after: parseJsonColumn(row["after"]) })

const jsonOrNull = (value: Record<string, unknown> | null): string | null => value === null ? null : JSON.stringify(value)

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

/** The SQLite store at `ESCALATION_TICKET_DATABASE_PATH` (see `TicketDatabaseConfig`). */
export const layerTicketStoreFromConfig: Layer.Layer<TicketStore, TicketStoreError | Config.ConfigError> = Layer.unwrap(
  Effect.map(TicketDatabaseConfig, (path) => layerSqliteTicketStore({ path }))
)

/**
 * The SQLite ticket store: ids, idempotent creates, the audit trail, transitions, filters,
 * restarts on a file database, versioned migrations, and two connections on one file.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { TestClock } from "effect/testing"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { layerSqliteTicketStore, makeSqliteTicketStore, openTicketDatabase } from "../../src/services/tickets/SqliteTicketStore.ts"
import { latestSchemaVersion, migrations } from "../../src/services/tickets/TicketMigrations.ts"
import { type NewTicket, TicketStore } from "../../src/services/tickets/TicketStore.ts"

const newTicket = (source: string, overrides: Partial<NewTicket> = {}): NewTicket => ({
  source_ticket_id: source,
  customer_id: "cust-1",
  description: "Charged twice for March",
  summary: "Double charge",
  department: "Billing",
  priority: "high",
  actor: "escalation-agent",
  ...overrides
})

const memory = layerSqliteTicketStore({ path: ":memory:" })

const withTempDir = <A, E, R>(use: (dir: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "escalation-store-"))),
    use,
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

describe("ticket store", () => {
  it.effect("creates TK- ids in sequence with a create row in the audit", () =>
    Effect.gen(function*() {
      const store = yield* TicketStore
      yield* TestClock.setTime(Date.parse("2026-11-21T10:00:00Z"))
      const first = yield* store.create(newTicket("s-1"))
      const second = yield* store.create(newTicket("s-2", { department: "Accounts" }))
      assert.isTrue(first.created)
      assert.strictEqual(first.ticket.ticket_id, "TK-000001")
      assert.strictEqual(second.ticket.ticket_id, "TK-000002")
      assert.deepInclude(first.ticket, {
        source_ticket_id: "s-1",
        customer_id: "cust-1",
        status: "open",
        created_at: "2026-11-21T10:00:00.000Z",
        updated_at: "2026-11-21T10:00:00.000Z"
      })
      const [created] = yield* store.audit("TK-000001")
      assert.deepInclude(created, { action: "create", actor: "escalation-agent", before: null, source_ticket_id: "s-1" })
      assert.deepInclude(created?.after ?? {}, { ticket_id: "TK-000001", department: "Billing", priority: "high", status: "open" })
    }).pipe(Effect.provide(memory)))

  it.effect("is idempotent: the same source ticket gets its existing ticket back, no second row or audit", () =>
    Effect.gen(function*() {
      const store = yield* TicketStore
      const first = yield* store.create(newTicket("dup"))
      const again = yield* store.create(newTicket("dup", { description: "different text", department: "General" }))
      assert.isFalse(again.created)
      assert.deepStrictEqual(again.ticket, first.ticket)
      assert.lengthOf(yield* store.list({}), 1)
      assert.lengthOf(yield* store.audit(first.ticket.ticket_id), 1)
      const outcome = Option.getOrThrow(yield* store.findBySource("dup"))
      assert.deepInclude(outcome, { action: "created", actor: "escalation-agent" })
    }).pipe(Effect.provide(memory)))

  it.effect("updates: notes, priority and status changes each leave an audit row with before and after", () =>
    Effect.gen(function*() {
      const store = yield* TicketStore
      yield* TestClock.setTime(Date.parse("2026-11-21T10:00:00Z"))
      const { ticket } = yield* store.create(newTicket("u-1", { priority: "medium" }))
      yield* TestClock.adjust("1 minute")
      const updated = yield* store.update(ticket.ticket_id, {
        actor: "escalation-agent",
        note: "Customer wrote again",
        priority: "high",
        source_ticket_id: "u-2"
      })
      assert.strictEqual(updated.priority, "high")
      assert.strictEqual(updated.updated_at, "2026-11-21T10:01:00.000Z")
      yield* TestClock.adjust("1 minute")
      const moved = yield* store.update(ticket.ticket_id, { actor: "reviewer:ana", status: "in_progress", note: "On it" })
      assert.strictEqual(moved.status, "in_progress")
      const audit = yield* store.audit(ticket.ticket_id)
      assert.deepStrictEqual(audit.map((a) => a.action), ["create", "update", "update", "status_change"])
      assert.deepInclude(audit[1], {
        actor: "escalation-agent",
        before: { priority: "medium" },
        after: { note: "Customer wrote again", priority: "high" },
        source_ticket_id: "u-2"
      })
      assert.deepInclude(audit[3], {
        actor: "reviewer:ana",
        before: { status: "open" },
        after: { status: "in_progress" },
        at: "2026-11-21T10:02:00.000Z",
        source_ticket_id: null
      })
      assert.deepInclude(Option.getOrThrow(yield* store.findBySource("u-2")), { action: "updated" })
      // Nothing to change: no audit row.
      yield* store.update(ticket.ticket_id, { actor: "x", priority: "high" })
      assert.lengthOf(yield* store.audit(ticket.ticket_id), 4)
    }).pipe(Effect.provide(memory)))

  it.effect("refuses transitions outside open → in_progress → resolved → closed (and reopen), and unknown tickets", () =>
    Effect.gen(function*() {
      const store = yield* TicketStore
      const { ticket } = yield* store.create(newTicket("t-1"))
      const skip = yield* Effect.flip(store.update(ticket.ticket_id, { actor: "r", status: "closed" }))
      assert.deepInclude(skip, { _tag: "InvalidTransition", from: "open", to: "closed" })
      const missing = yield* Effect.flip(store.update("TK-999999", { actor: "r", note: "hi" }))
      assert.strictEqual(missing._tag, "TicketNotFound")
      for (const status of ["in_progress", "resolved", "closed", "open"] as const) {
        assert.strictEqual((yield* store.update(ticket.ticket_id, { actor: "r", status })).status, status)
      }
      assert.lengthOf(yield* store.audit(ticket.ticket_id), 5)
      // A refused change leaves no trace.
      assert.strictEqual(Option.getOrThrow(yield* store.get(ticket.ticket_id)).status, "open")
    }).pipe(Effect.provide(memory)))

  it.effect("lists by status, department and customer; open tickets are open or in progress", () =>
    Effect.gen(function*() {
      const store = yield* TicketStore
      yield* store.create(newTicket("l-1"))
      yield* store.create(newTicket("l-2", { department: "Accounts" }))
      yield* store.create(newTicket("l-3", { customer_id: "cust-2" }))
      yield* store.update("TK-000002", { actor: "r", status: "in_progress" })
      yield* store.create(newTicket("l-4"))
      yield* store.update("TK-000004", { actor: "r", status: "in_progress" })
      yield* store.update("TK-000004", { actor: "r", status: "resolved" })
      const ids = (tickets: ReadonlyArray<{ readonly ticket_id: string }>) => tickets.map((t) => t.ticket_id).sort()
      assert.deepStrictEqual(ids(yield* store.list({ status: "open" })), ["TK-000001", "TK-000003"])
      assert.deepStrictEqual(ids(yield* store.list({ department: "Accounts" })), ["TK-000002"])
      assert.deepStrictEqual(ids(yield* store.list({ customer_id: "cust-2" })), ["TK-000003"])
      assert.deepStrictEqual(ids(yield* store.list({ customer_id: "cust-1", department: "Billing" })), ["TK-000001", "TK-000004"])
      assert.lengthOf(yield* store.list({ limit: 2 }), 2)
      assert.deepStrictEqual(ids(yield* store.findOpen("cust-1")), ["TK-000001", "TK-000002"])
    }).pipe(Effect.provide(memory)))

  it.effect("survives a restart: a file database keeps tickets, audit and the id sequence", () =>
    withTempDir((dir) =>
      Effect.gen(function*() {
        const layer = layerSqliteTicketStore({ path: join(dir, "tickets.db") })
        yield* Effect.gen(function*() {
          const store = yield* TicketStore
          yield* store.create(newTicket("r-1"))
          yield* store.update("TK-000001", { actor: "r", note: "before restart" })
        }).pipe(Effect.provide(layer))
        yield* Effect.gen(function*() {
          const store = yield* TicketStore
          assert.strictEqual(Option.getOrThrow(yield* store.get("TK-000001")).source_ticket_id, "r-1")
          assert.lengthOf(yield* store.audit("TK-000001"), 2)
          assert.isFalse((yield* store.create(newTicket("r-1"))).created)
          assert.strictEqual((yield* store.create(newTicket("r-2"))).ticket.ticket_id, "TK-000002")
          assert.strictEqual(yield* store.schemaVersion, latestSchemaVersion)
        }).pipe(Effect.provide(layer))
      })
    ))

  it("migrations: versioned, recorded once, in order; a newer database is refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "escalation-migrations-"))
    try {
      const path = join(dir, "tickets.db")
      assert.deepStrictEqual(migrations.map((m) => m.version), [1, 2])
      openTicketDatabase({ path }).close()
      const db = openTicketDatabase({ path })
      const applied = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all()
      assert.deepStrictEqual(applied.map((r) => ({ ...r })), [
        { version: 1, name: "create_tickets" },
        { version: 2, name: "create_audit" }
      ])
      // The database enforces one ticket per source ticket, whatever the code does.
      const insert = "INSERT INTO tickets VALUES (?, 'same', 'c', 'd', 's', 'General', 'low', 'open', 't', 't')"
      db.prepare(insert).run("TK-900001")
      assert.throws(() => db.prepare(insert).run("TK-900002"), /UNIQUE constraint failed: tickets.source_ticket_id/)
      db.prepare("INSERT INTO schema_migrations VALUES (99, 'from_the_future', 't')").run()
      db.close()
      assert.throws(() => openTicketDatabase({ path }), /schema version 99, newer than this build knows \(2\)/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.effect("a database newer than the build fails the layer with a TicketStoreError", () =>
    withTempDir((dir) =>
      Effect.gen(function*() {
        const path = join(dir, "tickets.db")
        const db = openTicketDatabase({ path })
        db.prepare("INSERT INTO schema_migrations VALUES (99, 'from_the_future', 't')").run()
        db.close()
        const exit = yield* Effect.exit(Effect.provide(Effect.gen(function*() {
          yield* TicketStore
        }), layerSqliteTicketStore({ path })))
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
        assert.strictEqual(error?._tag === "Fail" ? error.error._tag : undefined, "TicketStoreError")
      })
    ))

  it.effect("two connections on one file (two processes) never hand out the same id", () =>
    withTempDir((dir) =>
      Effect.gen(function*() {
        const path = join(dir, "tickets.db")
        const a = openTicketDatabase({ path })
        const b = openTicketDatabase({ path })
        try {
          const storeA = makeSqliteTicketStore(a)
          const storeB = makeSqliteTicketStore(b)
          const ids: Array<string> = []
          for (let i = 0; i < 20; i++) {
            const store = i % 2 === 0 ? storeA : storeB
            ids.push((yield* store.create(newTicket(`c-${i}`))).ticket.ticket_id)
          }
          assert.strictEqual(new Set(ids).size, 20)
          assert.isFalse((yield* storeB.create(newTicket("c-0"))).created)
          const check = new DatabaseSync(path)
          assert.strictEqual(check.prepare("SELECT COUNT(*) AS n FROM tickets").get()?.["n"], 20)
          check.close()
        } finally {
          a.close()
          b.close()
        }
      })
    ))
})


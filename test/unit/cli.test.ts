/**
 * The command line as people and deployments use it: `npm start` (the embedded demo), its
 * `--tickets` and `--json` options, configuration errors, an agent subcommand's lifecycle, and
 * `intake hash-key`.
 */
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { type AddressInfo, createServer as createNetServer } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { demo as sentimentDemo } from "../../examples/sentiment-agent.ts"
import { Effect } from "effect"

const bin = fileURLToPath(new URL("../../bin/support-agents.js", import.meta.url))

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const cleanEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"] }
  return { ...env, ...extra }
}

const collect = (child: ChildProcess): Promise<Run> =>
  new Promise((resolve) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()))
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  })

const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}, cwd?: string) =>
  collect(spawn(process.execPath, [bin, ...args], { env: cleanEnv(env), ...(cwd === undefined ? {} : { cwd }) }))

describe("support-agents demo (npm start)", () => {
  it("prints every sample ticket's journey and exits 0", async () => {
    const result = await run(["demo"])
    assert.strictEqual(result.code, 0, result.stderr)
    for (const route of ["ticket.resolved", "ticket.triaged.human", "ticket.events.dlq"]) assert.include(result.stdout, route)
    for (const reason of ["unknown_type", "low_confidence", "guardrail:forbidden_phrase", "invalid_json"]) {
      assert.include(result.stdout, reason)
    }
    assert.match(result.stdout, /TK-\d+: unknown_type/, "tickets sent to people show their tracked ticket id")
    assert.match(result.stdout, /11 tickets: 7 resolved, 3 human, 1 dlq, 0 pending/)
  }, 60_000)

  it("--tickets FILE --json prints one JSON line per input line, bad lines as dlq", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-agents-"))
    const file = join(dir, "tickets.jsonl")
    const ticket = (id: string, subject: string, body: string) =>
      JSON.stringify({ event_type: "ticket.created", ticket_id: id, customer_id: "c", subject, body, created_at: "2026-11-21T10:00:00Z", channel: "chat" })
    writeFileSync(file, [
      ticket("a", "Billing question", "Why was I charged twice?"),
      "not json at all",
      ticket("b", "Hello", "Anyone there?"),
      JSON.stringify({ event_type: "ticket.created", ticket_id: "c", channel: "fax" })
    ].join("\n") + "\n")
    const result = await run(["demo", "--tickets", file, "--json"])
    assert.strictEqual(result.code, 0, result.stderr)
    const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.lengthOf(lines, 4)
    assert.deepInclude(lines[0]!, { ticket_id: "a", outcome: "resolved", topic: "ticket.resolved", type: "billing", priority: "high" })
    assert.isString(lines[0]!["response"])
    assert.deepInclude(lines[1]!, { ticket_id: null, outcome: "dlq", topic: "ticket.events.dlq" })
    assert.match(String(lines[1]!["reason"]), /^invalid_json/)
    assert.deepInclude(lines[2]!, { ticket_id: "b", outcome: "human", reason: "unknown_type" })
    assert.match(String(lines[2]!["escalation_ticket_id"]), /^TK-\d+$/)
    assert.deepInclude(lines[3]!, { ticket_id: "c", outcome: "dlq" })
    assert.match(String(lines[3]!["reason"]), /^schema_violation/)
    for (const line of lines) {
      assert.deepStrictEqual(Object.keys(line).sort(), ["confidence", "escalation_ticket_id", "outcome", "priority", "reason", "response", "ticket_id", "topic", "type"])
    }
  }, 60_000)
})

describe("--tickets rough edges (issue 18 §10)", () => {
  const dir = mkdtempSync(join(tmpdir(), "support-agents-tickets-"))
  const file = join(dir, "tickets.jsonl")
  const ticket = (id: string, subject: string, body: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ event_type: "ticket.created", ticket_id: id, customer_id: "c", subject, body, created_at: "2026-11-21T10:00:00Z", channel: "chat", ...extra })
  const encoder = new TextEncoder()
  const lines: ReadonlyArray<Uint8Array> = [
    // 0: a value with a byte that is not UTF-8 (0xff inside the body)
    Buffer.concat([encoder.encode(ticket("latin", "Billing question", "Why was I charged twice").slice(0, -2)), Buffer.from([0xff]), encoder.encode("\"}")]),
    // 1: a directory is tested apart; 1 and 2: the same ticket id twice, different tickets
    encoder.encode(ticket("dup", "Billing question", "Why was I charged twice?")),
    encoder.encode(ticket("dup", "Hello", "Anyone there?")),
    // 3: a byte-order mark before the JSON
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encoder.encode(ticket("bom", "Billing question", "Why was I charged twice?"))]),
    // 4: an empty ticket id
    encoder.encode(ticket("", "Billing question", "Why was I charged twice?")),
    // 5: another event type
    encoder.encode(ticket("upd", "Billing question", "Why was I charged twice?", { event_type: "ticket.updated" }))
  ]
  writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])))
  let rows: ReadonlyArray<Record<string, unknown>> = []
  let table = ""

  beforeAll(async () => {
    const result = await run(["demo", "--tickets", file, "--json"])
    assert.strictEqual(result.code, 0, result.stderr)
    rows = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>)
    table = (await run(["demo", "--tickets", file])).stdout
  }, 60_000)

  it("one report line per input line", () => {
    assert.lengthOf(rows, lines.length)
  })

  it("non-UTF-8 bytes are dead-lettered (invalid_utf8), not triaged", () => {
    assert.deepInclude(rows[0]!, { outcome: "dlq", topic: "ticket.events.dlq" })
    assert.match(String(rows[0]!["reason"]), /^invalid_utf8/)
  })

  it("duplicate ticket ids keep their own report lines", () => {
    assert.deepInclude(rows[1]!, { ticket_id: "dup", outcome: "resolved", type: "billing" })
    assert.deepInclude(rows[2]!, { ticket_id: "dup", outcome: "human", type: "unknown", reason: "unknown_type" })
  })

  it("a line with a byte-order mark is triaged and reported with its ticket id", () => {
    assert.deepInclude(rows[3]!, { ticket_id: "bom", outcome: "resolved", type: "billing" })
  })

  it("an empty ticket_id is dead-lettered (schema_violation)", () => {
    assert.deepInclude(rows[4]!, { ticket_id: "", outcome: "dlq" })
    assert.match(String(rows[4]!["reason"]), /^schema_violation: .*ticket id/)
  })

  it("another event type is reported skipped, and counted apart in the table", () => {
    assert.deepInclude(rows[5]!, { ticket_id: "upd", outcome: "skipped", topic: null, reason: "other_event_type: ticket.updated" })
    assert.match(table, /6 tickets: 2 resolved, 1 human, 2 dlq, 0 pending, 1 skipped/)
  })

  it("a directory stops with its path and why, not a bare EISDIR", async () => {
    const result = await run(["demo", "--tickets", dir])
    assert.strictEqual(result.code, 1)
    assert.strictEqual(result.stderr.trim(), `support-agents: --tickets ${dir}: cannot read the file (it is a directory)`)
    const missing = await run(["demo", "--tickets", join(dir, "nope.jsonl")])
    assert.strictEqual(missing.code, 1)
    assert.include(missing.stderr, `--tickets ${join(dir, "nope.jsonl")}: cannot read the file (no such file)`)
  }, 30_000)

  it("a file over the size limit stops with its size and the limit, before it is read", async () => {
    const big = join(dir, "big.jsonl")
    writeFileSync(big, "")
    truncateSync(big, 64 * 1024 * 1024 + 1)
    const result = await run(["demo", "--tickets", big])
    assert.strictEqual(result.code, 1)
    assert.strictEqual(result.stderr.trim(), `support-agents: --tickets ${big}: 67108865 bytes, larger than the limit of 67108864 bytes`)
  }, 30_000)
})

describe("configuration errors", () => {
  for (const [name, value] of [["CONFIDENCE_THRESHOLD", "1.5"], ["CONFIDENCE_THRESHOLD", "high"], ["AGENT_CONCURRENCY", "0"], ["MOCK_LLM", "maybe"], ["HANDLER_TIMEOUT_MS", "soon"]] as const) {
    it(`${name}=${value} stops startup with a message naming the variable`, async () => {
      const result = await run(["triage"], { MOCK_LLM: "1", KAFKA_IN_MEMORY: "true", [name]: value })
      assert.strictEqual(result.code, 1)
      assert.include(result.stderr, name)
      assert.include(result.stderr, "Invalid configuration")
      assert.notInclude(result.stderr, "SchemaError")
    }, 30_000)
  }

  it("reads as the README shows it: one line, the problem, then the variable", async () => {
    const result = await run(["triage"], { MOCK_LLM: "1", CONFIDENCE_THRESHOLD: "1.5" })
    assert.strictEqual(result.code, 1)
    assert.strictEqual(
      result.stderr.trim(),
      "support-agents: Invalid configuration: Expected a value between 0 and 1 (variable CONFIDENCE_THRESHOLD)"
    )
  }, 30_000)
})

describe(".env in the working directory", () => {
  it("one over 1 MiB stops startup with its size and the limit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-agents-dotenv-"))
    writeFileSync(join(dir, ".env"), "")
    truncateSync(join(dir, ".env"), 1024 * 1024 + 1)
    const result = await run(["triage"], {}, dir)
    assert.strictEqual(result.code, 1)
    assert.strictEqual(result.stderr.trim(), "support-agents: .env: 1048577 bytes, larger than the limit of 1048576 bytes")
  }, 30_000)
  it("is loaded when present (MOCK_LLM=on there: no provider key needed), and the environment wins over it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-agents-dotenv-"))
    writeFileSync(join(dir, ".env"), "MOCK_LLM=on\nKAFKA_IN_MEMORY=true\nCONFIDENCE_THRESHOLD=7\nLOG_LEVEL=CRITICAL\n")
    // The file's CONFIDENCE_THRESHOLD is invalid: it stops startup, naming the variable.
    const fromFile = await run(["triage"], {}, dir)
    assert.strictEqual(fromFile.code, 1)
    assert.include(fromFile.stderr, "(variable CONFIDENCE_THRESHOLD)")
    // The environment's value wins; MOCK_LLM=on comes from the file, so no ANTHROPIC_API_KEY is asked for.
    const child = spawn(process.execPath, [bin, "triage"], {
      cwd: dir,
      env: cleanEnv({ CONFIDENCE_THRESHOLD: "0.5", LOG_LEVEL: "INFO", METRICS_PORT: "0" })
    })
    const done = collect(child)
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (d: Buffer) => {
        if (d.toString().includes("starting triage agent")) resolve()
      })
    })
    child.kill("SIGTERM")
    const result = await done
    assert.strictEqual(result.code, 0, result.stderr)
    const first = JSON.parse(result.stdout.split("\n")[0]!) as { annotations: Record<string, unknown> }
    assert.strictEqual(first.annotations["threshold"], 0.5)
  }, 30_000)
})

describe("agent subcommands", () => {
  it("support-agents billing starts, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [bin, "billing"], {
      env: cleanEnv({ MOCK_LLM: "1", LOG_LEVEL: "INFO", KAFKA_IN_MEMORY: "true", METRICS_PORT: "0" })
    })
    const done = collect(child)
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (d: Buffer) => {
        if (d.toString().includes("starting billing agent")) resolve()
      })
    })
    child.kill("SIGTERM")
    const result = await done
    assert.strictEqual(result.code, 0, result.stderr)
    const first = JSON.parse(result.stdout.split("\n")[0]!) as Record<string, unknown>
    assert.strictEqual(first["level"], "INFO", "logs are JSON lines")
  }, 30_000)

  for (const agent of ["triage", "billing", "technical", "feature", "account", "other", "escalation"]) {
    it(`support-agents ${agent} without KAFKA_BOOTSTRAP_SERVERS exits 1 with a message (KAFKA_IN_MEMORY=true is the explicit switch)`, async () => {
      const result = await run([agent], { MOCK_LLM: "1", METRICS_PORT: "0", ESCALATION_HTTP_PORT: "0", ESCALATION_TICKET_DATABASE_PATH: ":memory:" })
      assert.strictEqual(result.code, 1, result.stdout + result.stderr)
      assert.include(result.stderr, "support-agents: KAFKA_BOOTSTRAP_SERVERS is not set")
      assert.include(result.stderr, "KAFKA_IN_MEMORY=true")
      assert.notInclude(result.stdout, "metrics and health endpoints listening", "it never looked healthy")
    }, 30_000)
  }

  it("KAFKA_BOOTSTRAP_SERVERS and KAFKA_IN_MEMORY=true together stop startup", async () => {
    const result = await run(["billing"], { MOCK_LLM: "1", METRICS_PORT: "0", KAFKA_IN_MEMORY: "true", KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1" })
    assert.strictEqual(result.code, 1, result.stderr)
    assert.include(result.stderr, "unset one of them")
  }, 30_000)

  it("a port in use stops startup (exit 1) with one line naming the variable and the port: ESCALATION_HTTP_PORT, METRICS_PORT", async () => {
    const taken = createNetServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      const common = { MOCK_LLM: "1", KAFKA_IN_MEMORY: "true", ESCALATION_TICKET_DATABASE_PATH: ":memory:" }
      const http = await run(["escalation"], { ...common, METRICS_PORT: "0", ESCALATION_HTTP_HOST: "127.0.0.1", ESCALATION_HTTP_PORT: String(port) })
      assert.strictEqual(http.code, 1, http.stdout + http.stderr)
      assert.include(
        http.stderr,
        `support-agents: the escalation HTTP API cannot listen on ESCALATION_HTTP_HOST=127.0.0.1 ESCALATION_HTTP_PORT=${port}: the port is in use by another process (EADDRINUSE)`
      )
      const metrics = await run(["billing"], { ...common, METRICS_HOST: "127.0.0.1", METRICS_PORT: String(port) })
      assert.strictEqual(metrics.code, 1, metrics.stdout + metrics.stderr)
      assert.include(metrics.stderr, `cannot listen on METRICS_HOST=127.0.0.1 METRICS_PORT=${port}: the port is in use`)
      const badBind = await run(["billing"], { ...common, METRICS_HOST: "203.0.113.9", METRICS_PORT: "0" })
      assert.strictEqual(badBind.code, 1, badBind.stdout + badBind.stderr)
      assert.include(badBind.stderr, "METRICS_HOST=203.0.113.9 METRICS_PORT=0: the address is not one of this machine's (EADDRNOTAVAIL)")
    } finally {
      taken.close()
    }
  }, 60_000)

  it("lists one subcommand per agent", async () => {
    const result = await run(["--help"])
    for (const agent of ["demo", "triage", "billing", "technical", "feature", "account", "other", "escalation"]) assert.include(result.stdout, agent)
  }, 30_000)
})

/** `support-agents intake hash-key ARGS` with `input` on stdin. */
const hashKey = (input: string, args: ReadonlyArray<string> = []) => {
  const child = spawn(process.execPath, [bin, "intake", "hash-key", ...args], { env: cleanEnv({}) })
  const result = collect(child)
  child.stdin?.end(input)
  return result
}

describe("support-agents intake hash-key", () => {
  const key = "k3y-0123456789abcdef0123456789abcdef"
  const hash = createHash("sha256").update(key).digest("hex")

  it("prints the key's SHA-256 in hex (one trailing new line dropped), or NAME:sha256hex with --client, never the key", async () => {
    for (const input of [key, `${key}\n`, `${key}\r\n`]) {
      const result = await hashKey(input)
      assert.strictEqual(result.code, 0, result.stderr)
      assert.strictEqual(result.stdout, `${hash}\n`)
    }
    const paired = await hashKey(`${key}\n`, ["--client", "acme"])
    assert.strictEqual(paired.code, 0, paired.stderr)
    assert.strictEqual(paired.stdout, `acme:${hash}\n`)
    assert.notInclude(paired.stdout + paired.stderr, key)
    const twoLines = await hashKey(`${key}\n\n`)
    assert.notStrictEqual(twoLines.stdout, `${hash}\n`, "only one new line is dropped")
  }, 30_000)

  it("refuses an empty key, a short one or a bad client name with exit code 2 and one line, never printing the key", async () => {
    const empty = await hashKey("\n")
    assert.strictEqual(empty.code, 2)
    assert.strictEqual(empty.stdout, "")
    assert.include(empty.stderr, "no API key on stdin")
    const short = await hashKey("short-secret-key\n")
    assert.strictEqual(short.code, 2)
    assert.strictEqual(short.stdout, "")
    assert.include(short.stderr, "at least 32")
    assert.notInclude(short.stderr, "short-secret-key")
    const badName = await hashKey(key, ["--client", "a:b"])
    assert.strictEqual(badName.code, 2)
    assert.include(badName.stderr, "--client")
    assert.notInclude(badName.stdout + badName.stderr, key)
  }, 30_000)
})

describe("examples", () => {
  it("the sentiment agent example runs", async () => {
    const events = await Effect.runPromise(sentimentDemo)
    assert.deepStrictEqual(events.map((e) => (e as { frustrated: boolean }).frustrated).sort(), [false, true])
  })
})

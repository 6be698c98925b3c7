/**
 * The agents' log output: JSON lines written in batches (one write per turn of the event
 * loop), none lost when the process exits right after logging, the same shape as Effect's
 * `Logger.formatJson`, and secrets still redacted.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../fixtures/log-lines.ts", import.meta.url))

interface Line {
  readonly message: unknown
  readonly level: string
  readonly timestamp: string
  readonly annotations: Record<string, unknown>
  readonly spans: Record<string, number>
  readonly fiberId: string
  readonly cause?: string
}

const run = (count: number, env: Record<string, string> = {}) => {
  const result = spawnSync(process.execPath, [script, String(count)], {
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"], ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  assert.strictEqual(result.status, 0, result.stderr)
  return result.stdout.split("\n").filter((l) => l.length > 0)
}

describe("JSON log lines", () => {
  it("every line logged before process.exit is written, in order, one JSON object a line", () => {
    // More than the batch limit (256 KiB), so that both the size flush and the exit flush run.
    const lines = run(5_000)
    assert.strictEqual(lines.length, 5_002)
    const parsed = lines.map((l) => JSON.parse(l) as Line)
    parsed.slice(0, 5_000).forEach((line, i) => {
      assert.strictEqual(line.annotations["n"], i)
    })
    const first = parsed[0]!
    assert.deepStrictEqual(Object.keys(first), ["message", "level", "timestamp", "annotations", "spans", "fiberId"])
    assert.strictEqual(first.message, "ticket triaged")
    assert.strictEqual(first.level, "INFO")
    assert.match(first.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.deepStrictEqual(first.annotations, { n: 0, route: "ticket.triaged.billing", ok: true })
    assert.match(first.fiberId, /^#\d+$/)
  })

  it("values that are not plain (secrets, objects, causes) go through Effect's formatter: secrets stay redacted", () => {
    const lines = run(0)
    const [secret, failure] = lines.map((l) => JSON.parse(l) as Line)
    assert.notInclude(lines.join("\n"), "sk-SECRET")
    assert.strictEqual(secret!.level, "WARN")
    assert.deepStrictEqual(secret!.annotations["nested"], { a: 1 })
    assert.strictEqual(failure!.level, "ERROR")
    assert.include(failure!.cause ?? "", "boom")
  })

  it.live("a reader that stops for a while slows the writer down; no line is lost", () =>
    Effect.promise(async () => {
      const child = spawn(process.execPath, [script, "60000"], {
        env: { PATH: process.env["PATH"], HOME: process.env["HOME"] },
        stdio: ["ignore", "pipe", "inherit"]
      })
      // Far more than a pipe holds (64 KiB) is logged while nothing is read.
      child.stdout.pause()
      const chunks: Array<Buffer> = []
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk))
      const exited = new Promise<number | null>((resolve) => child.once("close", resolve))
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      child.stdout.resume()
      assert.strictEqual(await exited, 0)
      const lines = Buffer.concat(chunks).toString("utf8").split("\n").filter((l) => l.length > 0)
      assert.strictEqual(lines.length, 60_002)
      assert.strictEqual((JSON.parse(lines[59_999]!) as Line).annotations["n"], 59_999)
    }))

  it("LOG_LEVEL filters and LOG_FORMAT=console writes plain lines", () => {
    assert.lengthOf(run(10, { LOG_LEVEL: "ERROR" }), 1)
    const plain = run(2, { LOG_FORMAT: "console" })
    assert.isAtLeast(plain.length, 4) // the cause adds its stack lines
    assert.throws(() => JSON.parse(plain[0]!))
    assert.include(plain[0]!, "ticket triaged")
  })
})

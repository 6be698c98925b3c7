/**
 * Is a real Kafka broker reachable for the integration tests?
 *
 * `KAFKA_TEST_BOOTSTRAP_SERVERS` (default `127.0.0.1:9092`, the broker of `npm run kafka:start`).
 * In CI (`CI` set) an unreachable broker fails the tests with the reason; elsewhere they are
 * skipped with a message saying how to start one.
 *
 * `ownBroker`: a broker of a test's own on other ports and another data dir, for tests that
 * stop and restart it (broker faults) without disturbing the shared one.
 */
import { spawn } from "node:child_process"
import { connect } from "node:net"
import { fileURLToPath } from "node:url"

export const testBootstrap = process.env["KAFKA_TEST_BOOTSTRAP_SERVERS"] ?? "127.0.0.1:9092"

export interface BrokerStatus {
  readonly bootstrap: string
  readonly reachable: boolean
  /** Why it is not reachable. */
  readonly reason?: string | undefined
}

/** A TCP connection to the first bootstrap server within `timeoutMs`. */
export const probeBroker = (bootstrap = testBootstrap, timeoutMs = 2_000): Promise<BrokerStatus> => {
  const first = bootstrap.split(",")[0]!.trim()
  const separator = first.lastIndexOf(":")
  const host = first.slice(0, separator)
  const port = Number(first.slice(separator + 1))
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (status: BrokerStatus) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(status)
    }
    const timer = setTimeout(() => done({ bootstrap, reachable: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs)
    socket.once("connect", () => done({ bootstrap, reachable: true }))
    socket.once("error", (error) => done({ bootstrap, reachable: false, reason: error.message }))
  })
}

export const brokerStatus: BrokerStatus = await probeBroker()

export const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"

/** Why the broker tests cannot run, worded for the reader of the test output. */
export const unreachableMessage = (status: BrokerStatus = brokerStatus): string =>
  `no Kafka broker at ${status.bootstrap} (${status.reason ?? "unreachable"}); ` +
  (inCi
    ? "CI must start one before the tests (npm run kafka:start)"
    : "the Kafka integration tests are skipped; `npm run kafka:start` starts one")

/** True when the broker tests must be skipped (no broker, not in CI). */
export const skipBrokerTests = !brokerStatus.reachable && !inCi

// Said by the test workers only: the global setup (`global-setup.ts`, no worker id) imports this
// module before it starts a broker, when "skipped" would not be true.
if (skipBrokerTests && process.env["VITEST_WORKER_ID"] !== undefined) {
  process.stderr.write(`[kafka-integration] ${unreachableMessage()}\n`)
}

/** Where a test's own broker listens and keeps its data (`scripts/kafka.sh` settings). */
export interface OwnBrokerSettings {
  readonly port: number
  readonly controllerPort: number
  /** Wiped by `start`. */
  readonly dataDir: string
  /** `auto.create.topics.enable` (default true, as the shared test broker). */
  readonly autoCreateTopics?: boolean | undefined
}

export interface ScriptResult {
  readonly code: number | null
  readonly output: string
  readonly seconds: number
}

/** A broker of a test's own, run by `scripts/kafka.sh` (a restart keeps its data: `stop` + `resume`). */
export interface OwnBroker {
  readonly bootstrap: string
  readonly start: () => Promise<ScriptResult>
  readonly stop: () => Promise<ScriptResult>
  readonly resume: () => Promise<ScriptResult>
}

export const ownBroker = (settings: OwnBrokerSettings): OwnBroker => {
  const script = fileURLToPath(new URL("../../scripts/kafka.sh", import.meta.url))
  const run = (command: "start" | "stop" | "resume") =>
    new Promise<ScriptResult>((resolve) => {
      const started = Date.now()
      const child = spawn("bash", [script, command], {
        env: {
          ...process.env,
          KAFKA_PORT: String(settings.port),
          KAFKA_CONTROLLER_PORT: String(settings.controllerPort),
          KAFKA_DATA_DIR: settings.dataDir,
          KAFKA_AUTO_CREATE_TOPICS: String(settings.autoCreateTopics ?? true)
        },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      const append = (d: Buffer) => (output = (output + d.toString()).slice(-20_000))
      child.stdout.on("data", append)
      child.stderr.on("data", append)
      const done = (code: number | null) => resolve({ code, output, seconds: (Date.now() - started) / 1000 })
      child.once("error", (error) => {
        output += `\n${error.message}`
        done(-1)
      })
      child.once("close", done)
    })
  /** Like `run`, rejecting with the script's output when it fails. */
  const must = (command: "start" | "stop" | "resume") => async () => {
    const result = await run(command)
    if (result.code !== 0) throw new Error(`scripts/kafka.sh ${command} failed (${result.code}):\n${result.output}`)
    return result
  }
  return { bootstrap: `127.0.0.1:${settings.port}`, start: must("start"), stop: must("stop"), resume: must("resume") }
}

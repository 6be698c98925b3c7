/**
 * Is a real Kafka broker reachable for the integration tests?
 *
 * `KAFKA_TEST_BOOTSTRAP_SERVERS` (default `127.0.0.1:9092`, the broker of `npm run kafka:start`).
 * In CI (`CI` set) an unreachable broker fails the tests with the reason; elsewhere they are
 * skipped with a message saying how to start one.
 */
import { connect } from "node:net"

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

if (skipBrokerTests) process.stderr.write(`[kafka-integration] ${unreachableMessage()}\n`)

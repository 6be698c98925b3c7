/**
 * Vitest global setup: `npm test` brings up what the tests need, so that it runs the whole suite
 * on a fresh machine with nothing started beforehand.
 *
 * - The system packages the end-to-end tests use (kcat, chromium): `scripts/install-system-deps.sh`,
 *   which does nothing when they are there.
 * - A Kafka broker at `KAFKA_TEST_BOOTSTRAP_SERVERS` (default `127.0.0.1:9092`): when nothing
 *   answers there and the address is the local default, `scripts/kafka.sh start` starts one
 *   (installing its jars on first use) and the teardown stops it. A broker that was already
 *   running (`.ci/run` starts one, so does `npm run kafka:start`) is used and left running.
 *
 * `SUPPORT_AGENTS_TEST_NO_SETUP=1` skips both (the broker tests then skip themselves outside
 * CI, saying how to start a broker).
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { probeBroker, testBootstrap } from "./kafka-broker.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))

const run = (script: string, args: ReadonlyArray<string>): number =>
  spawnSync("bash", [script, ...args], { cwd: root, stdio: "inherit" }).status ?? 1

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env["SUPPORT_AGENTS_TEST_NO_SETUP"] === "1") return undefined
  if (run("scripts/install-system-deps.sh", []) !== 0) {
    console.error("global setup: the system packages could not be installed; the tests that need them will say so")
  }
  if ((await probeBroker()).reachable || testBootstrap !== "127.0.0.1:9092") return undefined
  if (run("scripts/kafka.sh", ["start"]) !== 0) {
    console.error("global setup: could not start a Kafka broker; the broker tests will say why")
    return undefined
  }
  return () => {
    run("scripts/kafka.sh", ["stop"])
  }
}

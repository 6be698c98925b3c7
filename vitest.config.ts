import { defineConfig } from "vitest/config"

/**
 * Tests that drive a real Kafka broker share its fixed topic names (the agents' topics), so
 * they run one file at a time, after the rest (which run in parallel).
 */
const brokerTests = [
  "test/kafka-integration.test.ts",
  "test/escalation-kafka.test.ts",
  "test/e2e-kafka.test.ts",
  "test/crash.test.ts",
  "test/switchover.test.ts",
  // Packs and installs the package, then runs an agent of it against the broker.
  "test/package.test.ts",
  // Runs a broker of its own (ports 19092/19093); one at a time with the others for the CPU.
  "test/broker-faults.test.ts",
  // Runs a broker of its own without topic auto-creation (ports 19094/19095).
  "test/startup-checks.test.ts"
]

export default defineConfig({
  test: {
    // Installs the system packages and starts a broker when none is running (see the file).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    // Logs of passing tests are noise; a failing test still shows its logs.
    silent: "passed-only",
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: brokerTests, sequence: { groupOrder: 0 } }
      },
      {
        extends: true,
        test: { name: "broker", include: brokerTests, fileParallelism: false, sequence: { groupOrder: 1 } }
      }
    ]
  }
})

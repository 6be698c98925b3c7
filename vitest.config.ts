import { defineConfig } from "vitest/config"

/**
 * The suites, by folder:
 *
 * - test/unit: in-process tests (in-memory broker, mock and loopback LLM servers, DynamoDB
 *   Local and SQLite started by the test), in parallel;
 * - test/deploy: the build, the Dockerfile, k8s, Terraform and provisioning, in parallel;
 * - test/broker: tests that drive the shared Kafka broker and its fixed topic names (the
 *   agents' topics), or run a broker of their own (test/broker/broker-faults.test.ts on ports
 *   19092/19093, startup-checks on 19094/19095), or pack the package and run an agent of it
 *   against the broker: one file at a time, after the others.
 *
 * test/support holds the suites' helpers, test/fakes and test/fixtures their fakes and data;
 * harness/ what the benchmarks share with the tests (agent processes, fake providers).
 */
export default defineConfig({
  test: {
    // Installs the system packages and starts a broker when none is running (see the file).
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
    // Logs of passing tests are noise; a failing test still shows its logs.
    silent: "passed-only",
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "deploy", include: ["test/deploy/**/*.test.ts"], sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: { name: "broker", include: ["test/broker/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 } }
      }
    ]
  }
})

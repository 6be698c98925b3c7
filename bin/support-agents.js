#!/usr/bin/env node
// The `support-agents` command. Runs the TypeScript sources directly (Node >= 22.18 strips types).
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(`support-agents needs Node.js >= 22.19 (this is ${process.versions.node}); run scripts/node24.sh`)
  process.exit(1)
}
// kafkajs 2.2 sets a negative timeout once per process on Node >= 24, which Node reports as a
// harmless TimeoutNegativeWarning; keep it out of the agents' output.
const emitWarning = process.emitWarning.bind(process)
process.emitWarning = (warning, ...rest) => {
  const name = typeof warning === "object" && warning !== null ? warning.name : typeof rest[0] === "string" ? rest[0] : rest[0]?.type
  if (name === "TimeoutNegativeWarning") return
  emitWarning(warning, ...rest)
}
await import("../src/programs/Cli.ts")

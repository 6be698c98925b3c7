#!/usr/bin/env node
// The `support-agents` command. Runs the TypeScript sources directly (Node >= 22.18 strips types).
const [major, minor] = process.versions.node.split(".").map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(`support-agents needs Node.js >= 22.19 (this is ${process.versions.node}); run scripts/node24.sh`)
  process.exit(1)
}
await import("../src/programs/cli.ts")

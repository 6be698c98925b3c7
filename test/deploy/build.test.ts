/**
 * `npm run build` (scripts/build.ts), what the container image runs: the sources compiled to
 * JavaScript, the assets beside them, and a bin/support-agents.js that runs the compiled CLI
 * the same way as the sources' one, with type stripping turned off (nothing TypeScript left).
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
// Inside the project, so that the output finds node_modules (.scratch/ is git-ignored).
const out = join(root, ".scratch", `build-test-${process.pid}`)

const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])

const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp" }

const cli = (bin: string, args: ReadonlyArray<string>, nodeOptions: ReadonlyArray<string> = []) =>
  spawnSync(process.execPath, [...nodeOptions, bin, ...args], { cwd: root, env, encoding: "utf8", timeout: 60_000 })

describe("npm run build", () => {
  it("compiles every source, copies the assets, and the compiled command works like the sources' one", () => {
    try {
      const build = spawnSync(process.execPath, [join(root, "scripts/build.ts"), "--out", out], { cwd: root, env, encoding: "utf8" })
      assert.strictEqual(build.status, 0, build.stdout + build.stderr)

      const sources = files(join(root, "src")).map((f) => relative(join(root, "src"), f))
      const built = new Set(files(join(out, "src")).map((f) => relative(join(out, "src"), f)))
      assert.isFalse([...built].some((f) => f.endsWith(".ts")), "no TypeScript in the output")
      for (const source of sources) {
        const expected = source.endsWith(".ts") ? source.replace(/\.ts$/, ".js") : source
        assert.isTrue(built.has(expected), `${expected} is built`)
      }
      assert.isTrue(existsSync(join(out, "src/programs/escalation/page/index.html")))
      assert.notInclude(readFileSync(join(out, "src/programs/Cli.js"), "utf8"), `.ts"`, "imports point at .js files")

      const compiled = join(out, "bin/support-agents.js")
      // Type stripping off: the compiled command must not load a single .ts file.
      const noStripping = ["--no-experimental-strip-types"]
      const help = cli(compiled, ["--help"], noStripping)
      assert.strictEqual(help.status, 0, help.stderr)
      assert.strictEqual(help.stdout, cli(join(root, "bin/support-agents.js"), ["--help"]).stdout)

      const demo = cli(compiled, ["demo"], noStripping)
      assert.strictEqual(demo.status, 0, demo.stderr)
      assert.match(demo.stdout, /11 tickets: 7 resolved, 3 human, 1 dlq, 0 pending/)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})

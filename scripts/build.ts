/**
 * `npm run build`: the sources compiled to JavaScript in `dist/` (or `--out DIR`), for the
 * container image. Node runs the TypeScript sources directly (type stripping), which is how
 * development, the tests and `npm start` run them; but type stripping loads a WebAssembly
 * compiler into the process that stays there, about 20 MiB of an agent's memory. The image
 * runs the compiled files instead.
 *
 * - `tsc -p tsconfig.build.json`: `src/**` → `<out>/src/**` (`.ts` imports become `.js`).
 * - The files of `src/` that are not TypeScript (the escalation page's assets) are copied.
 * - `<out>/bin/support-agents.js` is `bin/support-agents.js` importing the compiled CLI.
 *
 * The output resolves packages from the `node_modules` above it: build inside the project.
 */
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const outIndex = process.argv.indexOf("--out")
const out = resolve(root, outIndex > 0 ? process.argv[outIndex + 1] ?? "dist" : "dist")

const fail = (message: string): never => {
  console.error(`build: ${message}`)
  process.exit(1)
}

// The output directory is emptied first: never the project itself or anything outside it.
const within = relative(root, out)
if (within === "" || within.startsWith("..") || ["src", "bin", "node_modules"].includes(within.split(/[\\/]/)[0]!)) {
  fail(`--out ${out}: must be a directory inside the project (not the project, src/, bin/ or node_modules/)`)
}
rmSync(out, { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
const compiled = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", join(out, "src")], {
  cwd: root,
  stdio: "inherit"
})
if (compiled.status !== 0) fail(`tsc exited with ${compiled.status ?? compiled.signal}`)

/** Copies the files of `dir` (under src/) that are not TypeScript. */
const copyAssets = (dir: string): number => {
  let copied = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) copied += copyAssets(path)
    else if (!entry.name.endsWith(".ts")) {
      const target = join(out, "src", relative(join(root, "src"), path))
      mkdirSync(dirname(target), { recursive: true })
      cpSync(path, target)
      copied++
    }
  }
  return copied
}
const assets = copyAssets(join(root, "src"))

const bin = readFileSync(join(root, "bin/support-agents.js"), "utf8")
const source = `import("../src/programs/cli.ts")`
if (!bin.includes(source)) fail(`bin/support-agents.js no longer contains ${source}`)
mkdirSync(join(out, "bin"), { recursive: true })
writeFileSync(
  join(out, "bin/support-agents.js"),
  bin.replace(source, `import("../src/programs/cli.js")`).replace(
    /^\/\/ The `support-agents` command\..*$/m,
    "// The `support-agents` command, compiled by `npm run build` (scripts/build.ts) from bin/ and src/."
  )
)
console.log(`build: ${relative(root, out) || "."}/ written (compiled sources, ${assets} asset(s), bin/support-agents.js)`)

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
 * With `--package` (`npm pack` runs it as `prepack`) the output is the npm package's too: tsc
 * also writes declarations (`.d.ts`) with their maps and source maps, and the declarations'
 * relative imports are rewritten from `.ts` to `.js` (tsc rewrites them in the JavaScript only),
 * so that a consumer's compiler resolves `.d.ts` files under any `moduleResolution`.
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
const forPackage = process.argv.includes("--package")

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
const packageFlags = forPackage ? ["--declaration", "--declarationMap", "--sourceMap"] : []
const compiled = spawnSync(
  process.execPath,
  [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", join(out, "src"), ...packageFlags],
  { cwd: root, stdio: "inherit" }
)
if (compiled.status !== 0) fail(`tsc exited with ${compiled.status ?? compiled.signal}`)

/** Every file under `dir`. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])

/**
 * A relative module specifier ending in `.ts` (`"./x.ts"`, `'../a/b.ts'`), as tsc leaves them in
 * declarations: `from "…"`, `import("…")` and `export … from "…"`.
 */
const tsSpecifier = /(\bfrom\s+|\bimport\(\s*)(["'])(\.{1,2}\/[^"'\n]*?)\.ts\2/g

let declarations = 0
if (forPackage) {
  for (const file of filesUnder(join(out, "src")).filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(file, "utf8")
    const rewritten = text.replace(tsSpecifier, (_, prefix: string, quote: string, path: string) => `${prefix}${quote}${path}.js${quote}`)
    if (rewritten !== text) writeFileSync(file, rewritten)
    declarations++
  }
}

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
const source = `import("../src/programs/Cli.ts")`
if (!bin.includes(source)) fail(`bin/support-agents.js no longer contains ${source}`)
mkdirSync(join(out, "bin"), { recursive: true })
writeFileSync(
  join(out, "bin/support-agents.js"),
  bin.replace(source, `import("../src/programs/Cli.js")`).replace(
    /^\/\/ The `support-agents` command\..*$/m,
    "// The `support-agents` command, compiled by `npm run build` (scripts/build.ts) from bin/ and src/."
  )
)
const extras = forPackage ? `, ${declarations} declaration file(s)` : ""
// On stderr for `npm pack --json`, whose stdout (prepack's included) must be the JSON alone.
;(forPackage ? console.error : console.log)(`build: ${relative(root, out) || "."}/ written (compiled sources, ${assets} asset(s)${extras}, bin/support-agents.js)`)

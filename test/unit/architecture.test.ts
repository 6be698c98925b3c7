/**
 * The shape of src/ (issue 19), checked on every run:
 *
 * - the layer rules of `.dependency-cruiser.cjs` (domain ← services ← streams ← programs ←
 *   tooling, no cycles, type-only imports included; bench/ imports no test helper), run with
 *   dependency-cruiser on src/, harness/, bench/ and scripts/; and the same rules shown to catch each kind
 *   of violation on a small project of their own;
 * - no module in src/ over 500 lines;
 * - no two modules in src/ with the same file name, and PascalCase names below the package's
 *   entry points (src/*.ts are its subpath exports, named like them).
 */
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const config = join(root, ".dependency-cruiser.cjs")
const depcruise = join(root, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs")

const cruise = (cwd: string, paths: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [depcruise, ...paths, "--config", config, "--output-type", "err"], { cwd, encoding: "utf8", timeout: 120_000 })

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  )
const sources = filesUnder(join(root, "src")).map((f) => relative(root, f))

describe("the layers of src/", () => {
  it("follow .dependency-cruiser.cjs: one way, no cycles, no test helpers in benchmarks", () => {
    const result = cruise(root, ["src", "harness", "bench", "scripts"])
    assert.strictEqual(result.status, 0, `dependency-cruiser found violations:\n${result.stdout}\n${result.stderr}`)
  })

  it("the rules catch a back-import in each layer, a type-only cycle, a static import of a provider SDK module and a benchmark importing a test helper", () => {
    const project = mkdtempSync(join(tmpdir(), "support-agents-layers-"))
    try {
      const files: Record<string, string> = {
        "src/domain/Up.ts": `import { s } from "../services/S.ts"\nexport const up = s\n`,
        "src/services/S.ts": `import { t } from "../streams/T.ts"\nexport const s = t\n`,
        "src/streams/T.ts": `import { p } from "../programs/P.ts"\nexport const t = p\n`,
        "src/programs/P.ts": `import { e } from "../tooling/E.ts"\nexport const p = e\n`,
        "src/tooling/E.ts": `export const e = 1\n`,
        "src/entry.ts": `export { e } from "./tooling/E.ts"\n`,
        "src/services/A.ts": `import type { B } from "./B.ts"\nexport interface A { readonly b?: B }\n`,
        "src/services/B.ts": `import type { A } from "./A.ts"\nexport interface B { readonly a?: A }\n`,
        "src/services/Missing.ts": `export { gone } from "./Gone.ts"\n`,
        "src/services/llm/Anthropic.ts": `export interface AnthropicSettings { readonly model: string }\n`,
        "src/services/llm/Selection.ts": `import type { AnthropicSettings } from "./Anthropic.ts"\nexport type S = AnthropicSettings\n`,
        "src/services/llm/Lazy.ts": `export const load = () => import("./Anthropic.ts")\n`,
        "bench/x.bench.ts": `import { helper } from "../test/helper.ts"\nexport const x = helper\n`,
        "test/helper.ts": `export const helper = 1\n`,
        "tsconfig.json": JSON.stringify({ compilerOptions: { module: "nodenext", allowImportingTsExtensions: true, noEmit: true } })
      }
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(project, path)), { recursive: true })
        writeFileSync(join(project, path), text)
      }
      const result = cruise(project, ["src", "bench"])
      assert.notStrictEqual(result.status, 0)
      const found = result.stdout
      for (
        const [rule, from] of [
          ["domain-is-the-bottom", "src/domain/Up.ts"],
          ["services-below-streams", "src/services/S.ts"],
          ["streams-below-programs", "src/streams/T.ts"],
          ["programs-below-tooling", "src/programs/P.ts"],
          ["entry-points-not-tooling", "src/entry.ts"],
          ["no-circular", "src/services/A.ts"],
          ["not-to-unresolvable", "src/services/Missing.ts"],
          ["provider-sdks-loaded-lazily", "src/services/llm/Selection.ts"],
          ["bench-not-tests", "bench/x.bench.ts"]
        ] as const
      ) {
        assert.match(found, new RegExp(`${rule}: ${from.replace(/\./g, "\\.")}`), `${rule} is reported for ${from}:\n${found}`)
      }
      assert.notMatch(found, /src\/services\/llm\/Lazy\.ts/, "a dynamic import() of a provider module is allowed")
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
})

describe("the modules of src/", () => {
  it("are at most 500 lines each", () => {
    const long = sources
      .map((file) => ({ file, lines: readFileSync(join(root, file), "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 500)
    assert.deepStrictEqual(long, [], "split these by concept")
  })

  it("have unique file names, PascalCase below the entry points", () => {
    const byName = new Map<string, Array<string>>()
    for (const file of sources) byName.set(basename(file), [...(byName.get(basename(file)) ?? []), file])
    const shared = [...byName].filter(([, files]) => files.length > 1)
    assert.deepStrictEqual(shared, [], "two modules share a name")
    const notPascal = sources.filter((f) => f.split("/").length > 2 && !/^[A-Z][A-Za-z0-9]*\.ts$/.test(basename(f)))
    assert.deepStrictEqual(notPascal, [])
  })
})

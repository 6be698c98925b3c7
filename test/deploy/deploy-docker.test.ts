/**
 * The container image, checked without a Docker engine: the Dockerfile's base images are Node
 * 24, everything it copies exists and gets through .dockerignore, its runtime gets production
 * dependencies only (and those are all the sources import) plus the sources compiled by its
 * build stage, it runs as a non-root user that Kubernetes' runAsNonRoot can verify, and its
 * entry point and default command are real (test/deploy/build.test.ts runs the compiled command).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { isObject, type JsonObject } from "../../src/tooling/deploy/KubeObjects.ts"
import { renderKustomization } from "../../src/tooling/deploy/RenderK8s.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const at = (...parts: ReadonlyArray<string>) => join(root, ...parts)

interface Instruction {
  readonly keyword: string
  readonly args: string
  readonly stage: number
}

/** The Dockerfile's instructions (continuation lines joined, comments dropped). */
const parseDockerfile = (text: string): ReadonlyArray<Instruction> => {
  const logical: Array<string> = []
  let current = ""
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (current === "" && (line === "" || line.startsWith("#"))) continue
    if (line.startsWith("#")) continue
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `
      continue
    }
    logical.push(current + line)
    current = ""
  }
  let stage = -1
  return logical.map((line) => {
    const [keyword = "", ...rest] = line.split(/\s+/)
    if (keyword.toUpperCase() === "FROM") stage++
    return { keyword: keyword.toUpperCase(), args: rest.join(" "), stage }
  })
}

const dockerfile = parseDockerfile(readFileSync(at("Dockerfile"), "utf8"))
const of = (keyword: string) => dockerfile.filter((i) => i.keyword === keyword)
const lastStage = Math.max(...dockerfile.map((i) => i.stage))
const jsonArgs = (args: string): ReadonlyArray<string> => {
  const value: unknown = JSON.parse(args)
  assert.isArray(value, args)
  return (value as Array<unknown>).map(String)
}

/** The pods of the rendered overlays that run the image. */
const agentPods = () =>
  ["dev", "prod"].flatMap((overlay) =>
    Effect.runSync(renderKustomization(at("k8s/overlays", overlay))).flatMap((o) => {
      const template = (o["spec"] as JsonObject | undefined)?.["template"]
      if (!isObject(template) || !isObject(template["spec"])) return []
      const podSpec = template["spec"]
      const containers = (podSpec["containers"] ?? []) as Array<JsonObject>
      return containers
        .filter((c) => /(^|\/)support-agents[:@]/.test(String(c["image"])))
        .map((container) => ({ overlay, name: String((o["metadata"] as JsonObject)["name"]), podSpec, container }))
    })
  )

/** `support-agents --help`'s subcommands. */
const subcommands = (): ReadonlySet<string> => {
  const result = spawnSync(process.execPath, [at("bin/support-agents.js"), "--help"], { encoding: "utf8", cwd: root })
  assert.strictEqual(result.status, 0, result.stderr)
  const section = result.stdout.split(/^SUBCOMMANDS\s*$/m)[1] ?? ""
  return new Set([...section.matchAll(/^\s{2}(\S+)\s/gm)].map((m) => m[1]!))
}

describe("the container image (Dockerfile)", () => {
  it("builds on Node 24 slim images in stages", () => {
    const froms = of("FROM")
    assert.isAbove(froms.length, 1, "multi-stage")
    for (const from of froms) {
      const image = from.args.replace(/^--platform=\S+\s+/, "").split(/\s+/)[0]!
      assert.match(image, /^node:24(?:[.-]|$)/, from.args)
    }
    assert.match(froms[froms.length - 1]!.args, /^node:24-slim\b/)
  })

  it("installs from the lock file; the runtime gets production dependencies only and the compiled sources", () => {
    const installs = of("RUN").filter((r) => /\bnpm\b/.test(r.args))
    assert.isAbove(installs.length, 0)
    for (const run of installs) assert.match(run.args, /\bnpm ci\b/, run.args)
    const stageNamed = (name: string) => {
      const from = of("FROM").find((f) => new RegExp(`\\sAS\\s+${name}$`, "i").test(f.args))
      assert.isDefined(from, `a stage named ${name}`)
      return from!.stage
    }
    const copiedIn = of("COPY").filter((c) => c.stage === lastStage && /--from=/.test(c.args))
    const fromStage = (c: Instruction) => stageNamed(/--from=(\S+)/.exec(c.args)![1]!)
    const modules = copiedIn.filter((c) => /\/node_modules\b/.test(c.args))
    assert.lengthOf(modules, 1, "node_modules copied in once")
    const depsInstall = installs.filter((r) => r.stage === fromStage(modules[0]!))
    assert.isAbove(depsInstall.length, 0)
    for (const run of depsInstall) assert.match(run.args, /--omit=dev\b/, run.args)
    // The build stage installs the compiler (a dev dependency); only its dist/ goes further.
    for (const copy of copiedIn.filter((c) => c !== modules[0])) assert.match(copy.args, /^--from=\S+\s+\/app\/dist\s+\.\/dist$/, copy.args)
    const builds = of("RUN").filter((r) => /\bscripts\/build\.ts\b/.test(r.args))
    assert.lengthOf(builds, 1, "the build stage runs scripts/build.ts")
    assert.notStrictEqual(builds[0]!.stage, lastStage)
    assert.lengthOf(of("HEALTHCHECK"), 0, "Kubernetes probes check health")
  })

  it("copies only paths that exist and that .dockerignore lets into the build context", () => {
    const ignore = readFileSync(at(".dockerignore"), "utf8").split("\n").map((l) => l.trim())
    assert.include(ignore, "*", ".dockerignore starts from nothing")
    const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""))
    const copied: Array<string> = []
    for (const copy of of("COPY").filter((c) => !/--from=/.test(c.args))) {
      const words = copy.args.split(/\s+/).filter((w) => !w.startsWith("--"))
      for (const source of words.slice(0, -1)) {
        const path = source.replace(/^\.\//, "").replace(/\/$/, "")
        assert.isTrue(existsSync(at(path)), `COPY ${source}: no such path`)
        assert.include(allowed, path, `COPY ${source}: excluded by .dockerignore`)
        copied.push(path)
      }
    }
    for (const needed of ["bin", "src", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "scripts/build.ts"]) {
      assert.include(copied, needed)
    }
  })

  it("runs as a non-root numeric user, the one the pods run as", () => {
    const users = of("USER").filter((u) => u.stage === lastStage)
    assert.isAbove(users.length, 0, "USER in the final stage")
    const user = users[users.length - 1]!.args
    const [uid, gid] = user.split(":")
    assert.match(uid!, /^\d+$/, "numeric, so that runAsNonRoot can verify it")
    assert.notStrictEqual(Number(uid), 0)
    if (gid !== undefined) assert.notStrictEqual(Number(gid), 0)
    let checked = 0
    for (const { overlay, podSpec } of agentPods()) {
      assert.strictEqual((podSpec["securityContext"] as JsonObject)["runAsUser"], Number(uid), overlay)
      checked++
    }
    assert.isAbove(checked, 6)
  })

  it("starts the compiled bin/support-agents.js with options node accepts; its default command is one of its subcommands, as is every workload's", () => {
    const entrypoint = jsonArgs(of("ENTRYPOINT").at(-1)!.args)
    assert.strictEqual(entrypoint[0], "node")
    assert.strictEqual(entrypoint.at(-1), "dist/bin/support-agents.js", "what scripts/build.ts writes (test/deploy/build.test.ts runs it)")
    const nodeOptions = entrypoint.slice(1, -1)
    for (const option of nodeOptions) assert.match(option, /^--[a-z-]+(=\S+)?$/, option)
    const accepted = spawnSync(process.execPath, [...nodeOptions, "-e", "0"], { encoding: "utf8" })
    assert.strictEqual(accepted.status, 0, `node refuses ${nodeOptions.join(" ")}: ${accepted.stderr}`)
    assert.isTrue(existsSync(at("bin/support-agents.js")))
    // The npm package's command is the compiled one too (`npm pack` builds it: prepack).
    assert.deepStrictEqual(JSON.parse(readFileSync(at("package.json"), "utf8")).bin["support-agents"], entrypoint.at(-1))
    const commands = subcommands()
    const cmd = jsonArgs(of("CMD").at(-1)!.args)
    assert.deepStrictEqual(cmd, ["triage"])
    assert.isTrue(commands.has(cmd[0]!), `support-agents ${cmd[0]} exists`)
    for (const { container, name, overlay } of agentPods()) {
      const args = (container["args"] ?? []) as Array<string>
      assert.isTrue(commands.has(args[0] ?? ""), `${overlay}/${name} runs \`support-agents ${args[0]}\`: not a subcommand`)
    }
  })

  it("caps V8's heap with NODE_OPTIONS that Node accepts, well below every workload's memory limit", () => {
    const env = of("ENV").filter((i) => i.stage === lastStage).map((i) => i.args).find((a) => a.startsWith("NODE_OPTIONS="))
    assert.isDefined(env, "ENV NODE_OPTIONS in the final stage")
    const nodeOptions = env!.replace(/^NODE_OPTIONS=/, "").replace(/^"(.*)"$/, "$1")
    assert.match(nodeOptions, /--max-old-space-size=\d+/)
    const result = spawnSync(process.execPath, ["-e", "console.log(require('v8').getHeapStatistics().heap_size_limit)"], {
      encoding: "utf8",
      env: { PATH: process.env["PATH"], NODE_OPTIONS: nodeOptions }
    })
    assert.strictEqual(result.status, 0, `Node refuses NODE_OPTIONS="${nodeOptions}": ${result.stderr}`)
    const heapMiB = Number(result.stdout.trim()) / 1_048_576
    assert.isBelow(heapMiB, 256, "the heap is capped")
    const mebibytes = (quantity: string) => {
      const match = /^(\d+)(Mi|Gi)$/.exec(quantity)
      assert.isNotNull(match, quantity)
      return Number(match![1]) * (match![2] === "Gi" ? 1024 : 1)
    }
    let checked = 0
    for (const { container, name, overlay } of agentPods()) {
      const overridden = ((container["env"] ?? []) as Array<JsonObject>).some((e) => e["name"] === "NODE_OPTIONS")
      if (overridden) continue
      const limit = ((container["resources"] as JsonObject)["limits"] as JsonObject)["memory"]
      // Code, the young generation, buffers and Node itself come on top of the old generation.
      assert.isAtLeast(mebibytes(String(limit)), heapMiB + 128, `${overlay}/${name}: memory limit ${limit}`)
      checked++
    }
    assert.isAbove(checked, 6)
  })

  it("every package the sources import at run time is a production dependency", () => {
    const pkg = JSON.parse(readFileSync(at("package.json"), "utf8")) as Record<
      "dependencies" | "peerDependencies" | "optionalDependencies",
      Record<string, string> | undefined
    >
    // npm ci --omit=dev installs all three: the root project's peers and optional dependencies too.
    const production = new Set([pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies].flatMap((d) => Object.keys(d ?? {})))
    const builtins = new Set(builtinModules)
    const seen = new Set<string>()
    const packages = new Map<string, string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const text = readFileSync(file, "utf8")
      const specifiers = [
        ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm),
        ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)
      ].map((m) => m[1]!)
      for (const specifier of specifiers) {
        if (specifier.startsWith(".")) {
          const target = resolve(dirname(file), specifier)
          if (/\.[cm]?[jt]s$/.test(target)) visit(target)
          continue
        }
        const name = specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]!)
          ? "node"
          : specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/")
        if (!packages.has(name)) packages.set(name, relative(root, file))
      }
    }
    visit(at("bin/support-agents.js"))
    assert.isAbove(seen.size, 20, "the sources behind the command were followed")
    for (const [name, file] of packages) {
      if (name === "node") continue
      assert.isTrue(production.has(name), `${file} imports ${name}, which npm ci --omit=dev does not install`)
    }
    assert.isTrue(packages.has("effect"))
  })
})

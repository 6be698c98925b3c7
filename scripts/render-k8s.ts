/**
 * Prints a kustomization rendered the way `kustomize build` does, as a multi-document YAML
 * stream (`| kubectl apply -f -`); the renderer and what it supports are in
 * src/tooling/deploy/RenderK8s.ts.
 *
 *   node scripts/render-k8s.ts k8s/overlays/prod [--image support-agents=REF] [--config [CONFIGMAP:]KEY=VALUE]...
 *
 * Exit code 0, 1 when the kustomization cannot be rendered (`render-k8s: …` on stderr), 2 for
 * a command line without one directory.
 */
import { Cause, Effect, Exit } from "effect"
import { parseArgs } from "node:util"
import { attempt, toYamlStream } from "../src/tooling/deploy/KubeObjects.ts"
import { imageOverride, parseKeyValue, renderKustomization } from "../src/tooling/deploy/RenderK8s.ts"

const usage = "usage: node scripts/render-k8s.ts DIR [--image NAME=REF]... [--config [CONFIGMAP:]KEY=VALUE]...\n"

const main = Effect.gen(function*() {
  const { positionals, values } = yield* attempt(() =>
    parseArgs({
      allowPositionals: true,
      options: {
        image: { type: "string", multiple: true },
        config: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" }
      }
    })
  )
  if (values.help === true || positionals.length !== 1) {
    process.stderr.write(usage)
    return values.help === true ? 0 : 2
  }
  const config = Object.fromEntries(yield* Effect.forEach(values.config ?? [], (c) => parseKeyValue(c, "--config")))
  const images = yield* Effect.forEach(values.image ?? [], imageOverride)
  process.stdout.write(toYamlStream(yield* renderKustomization(positionals[0]!, { images, config })))
  return 0
})

const exit = Effect.runSyncExit(main)
if (Exit.isSuccess(exit)) {
  process.exitCode = exit.value
} else {
  const error = Cause.squash(exit.cause)
  process.stderr.write(`render-k8s: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}

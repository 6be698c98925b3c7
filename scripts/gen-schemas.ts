/**
 * Writes `events/<event_type>.schema.json` from the Schemas (`npm run gen:schemas`): the
 * domain's events and the events the registered agents declare in their manifests
 * (src/tooling/schemas/EventSchemaFiles.ts). `--check` compares instead of writing and exits 1
 * when a committed file differs or is missing, or when `events/` holds a schema that nothing
 * generates any more. It also writes the intake API's OpenAPI document, `docs/intake.openapi.json`
 * (src/programs/intake/IntakeOpenApi.ts: the request body's schema is generated from the domain).
 */
import { Cause, Effect, Exit } from "effect"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { intakeOpenApiText } from "../src/programs/intake/IntakeOpenApi.ts"
import { eventSchemaFiles } from "../src/tooling/schemas/EventSchemaFiles.ts"

const dir = fileURLToPath(new URL("../events/", import.meta.url))
const check = process.argv.includes("--check")

const generated = Effect.runSyncExit(eventSchemaFiles)
if (Exit.isFailure(generated)) {
  const error = Cause.squash(generated.cause)
  console.error(`gen:schemas: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
const files = generated.value

const openApiPath = fileURLToPath(new URL("../docs/intake.openapi.json", import.meta.url))

let stale = 0
for (const [file, text] of [...Object.entries(files), ["../docs/intake.openapi.json", intakeOpenApiText()] as const]) {
  const path = file.startsWith("../") ? openApiPath : `${dir}${file}`
  if (check) {
    let current = ""
    try {
      current = readFileSync(path, "utf8")
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`stale: ${file.startsWith("../") ? file.slice(3) : `events/${file}`} (run npm run gen:schemas)`)
      stale++
    }
  } else {
    writeFileSync(path, text)
    console.log(`wrote ${file.startsWith("../") ? file.slice(3) : `events/${file}`}`)
  }
}
if (check) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".schema.json") && !(f in files))) {
    console.error(`stale: events/${file} (no Schema generates it: delete it)`)
    stale++
  }
}
if (stale > 0) process.exit(1)

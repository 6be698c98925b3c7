/**
 * Writes `events/<event_type>.schema.json` from the domain Schemas (`npm run gen:schemas`).
 * `--check` compares instead of writing and exits 1 when a committed file differs.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { renderEventSchemas } from "../src/domain/JsonSchemas.ts"

const dir = fileURLToPath(new URL("../events/", import.meta.url))
const check = process.argv.includes("--check")
let stale = 0
for (const [file, text] of Object.entries(renderEventSchemas())) {
  const path = `${dir}${file}`
  if (check) {
    let current = ""
    try {
      current = readFileSync(path, "utf8")
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`stale: events/${file} (run npm run gen:schemas)`)
      stale++
    }
  } else {
    writeFileSync(path, text)
    console.log(`wrote events/${file}`)
  }
}
if (stale > 0) process.exit(1)

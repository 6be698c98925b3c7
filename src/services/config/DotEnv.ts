/**
 * `.env` loading as the original system does it (python-dotenv's `load_dotenv()`): when a
 * `.env` file is in the working directory, its variables are set for the variables the
 * environment does not set; the real environment always wins. `${NAME}` in a value is
 * replaced by the variable's value (from the environment, else from earlier lines of the
 * file, else empty), as python-dotenv does.
 *
 * The syntax is Node's (`util.parseEnv`): `NAME=value`, `export NAME=value`, `#` comments,
 * single, double and back quotes, multi-line values in double quotes.
 */
import { Effect, Schema } from "effect"
import { readFileSync, statSync } from "node:fs"
import { parseEnv } from "node:util"

/** The `.env` file exists but cannot be read. */
export class DotEnvError extends Schema.TaggedError<DotEnvError>()("DotEnvError", {
  message: Schema.String
}) {}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * The variables of `text` (a `.env` file) that `env` does not set, with `${NAME}` references
 * expanded.
 */
export const dotEnvAdditions = (
  text: string,
  env: Readonly<Record<string, string | undefined>>
): Record<string, string> => {
  const parsed = parseEnv(text)
  const added: Record<string, string> = {}
  const lookup = (name: string): string => env[name] ?? added[name] ?? ""
  for (const [name, value] of Object.entries(parsed)) {
    if (value === undefined) continue
    const expanded = value.replace(reference, (_, ref: string) => lookup(ref))
    if (env[name] === undefined) added[name] = expanded
  }
  return added
}

/**
 * Loads `path` (default `.env` in the working directory) into `process.env` for the variables
 * it does not set. A missing file is not an error; one that cannot be read is. Returns the
 * names of the variables set.
 */
/** The largest `.env` read (bytes): a settings file is a few kilobytes. */
export const maxDotEnvBytes = 1024 * 1024

export const loadDotEnv = (path = ".env"): Effect.Effect<ReadonlyArray<string>, DotEnvError> =>
  Effect.suspend(() => {
    let text: string
    try {
      const size = statSync(path).size
      if (size > maxDotEnvBytes) {
        return Effect.fail(new DotEnvError({ message: `${path}: ${size} bytes, larger than the limit of ${maxDotEnvBytes} bytes` }))
      }
      text = readFileSync(path, "utf8")
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "ENOENT") return Effect.succeed([])
      return Effect.fail(new DotEnvError({ message: `cannot read ${path}: ${code ?? String(error)}` }))
    }
    let added: Record<string, string>
    try {
      added = dotEnvAdditions(text, process.env)
    } catch (error) {
      return Effect.fail(new DotEnvError({ message: `cannot parse ${path}: ${error instanceof Error ? error.message : String(error)}` }))
    }
    for (const [name, value] of Object.entries(added)) process.env[name] = value
    return Effect.succeed(Object.keys(added))
  })

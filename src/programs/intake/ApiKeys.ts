/**
 * The intake's clients and their API keys. The keys are never stored: `INTAKE_API_KEYS` holds
 * `client:sha256hex` pairs (the SHA-256 of each key, in hex), separated by commas, blanks or
 * new lines, or the path of a file (a value starting with `/`) holding such pairs, one a line
 * (`#` starts a comment). A request's `Authorization: Bearer <key>` is hashed and compared, in
 * constant time, with every stored hash.
 *
 * A key's hash (`hashApiKey`): `support-agents intake hash-key` (`HashKeyCommand.ts`;
 * docs/intake.md).
 */
import { Data, Effect, Redacted } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { readFile } from "node:fs/promises"

/** `INTAKE_API_KEYS` is empty, unreadable, or not `client:sha256hex` pairs. */
export class ApiKeysProblem extends Data.TaggedError("ApiKeysProblem")<{ readonly message: string }> {}

/** A client: its name (in logs, metrics and record headers) and its key's hash. */
export interface ApiClient {
  readonly name: string
  readonly hash: Buffer
}

/** The SHA-256 of an API key, in hex: what `INTAKE_API_KEYS` holds for it. */
export const hashApiKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex")

const clientName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Whether `name` can name a client in `INTAKE_API_KEYS`: letters, digits and `._-`, at most 64, not starting with `.`, `_` or `-`. */
export const isClientName = (name: string): boolean => clientName.test(name)
const sha256Hex = /^[0-9a-f]{64}$/

/** The clients of `text` (pairs separated by commas, blanks or new lines; `#` comments). */
export const parseApiKeys = (text: string): Effect.Effect<ReadonlyArray<ApiClient>, ApiKeysProblem> =>
  Effect.suspend(() => {
    const entries = text
      .split("\n")
      .map((line) => line.replace(/#.*$/, ""))
      .flatMap((line) => line.split(/[\s,]+/))
      .filter((entry) => entry !== "")
    const clients: Array<ApiClient> = []
    const names = new Set<string>()
    for (const [index, entry] of entries.entries()) {
      const separator = entry.lastIndexOf(":")
      const name = entry.slice(0, separator)
      const hash = entry.slice(separator + 1).toLowerCase()
      // The entry is never shown: it might be a key pasted by mistake instead of its hash.
      if (separator <= 0 || !clientName.test(name)) {
        return Effect.fail(new ApiKeysProblem({ message: `INTAKE_API_KEYS: entry ${index + 1} is not client:sha256hex (a client name of letters, digits and ._-)` }))
      }
      if (!sha256Hex.test(hash)) {
        return Effect.fail(new ApiKeysProblem({ message: `INTAKE_API_KEYS: the hash of ${name} is not 64 hex digits (the SHA-256 of the key)` }))
      }
      if (names.has(name)) return Effect.fail(new ApiKeysProblem({ message: `INTAKE_API_KEYS: ${name} is listed twice` }))
      names.add(name)
      clients.push({ name, hash: Buffer.from(hash, "hex") })
    }
    if (clients.length === 0) {
      return Effect.fail(new ApiKeysProblem({ message: "INTAKE_API_KEYS has no client: no one could call the intake API (see docs/intake.md)" }))
    }
    return Effect.succeed(clients)
  })

/** The clients of `INTAKE_API_KEYS`: its pairs, or those of the file it names. */
export const loadApiKeys = (setting: Redacted.Redacted<string>): Effect.Effect<ReadonlyArray<ApiClient>, ApiKeysProblem> => {
  const value = Redacted.value(setting).trim()
  if (!value.startsWith("/")) return parseApiKeys(value)
  return Effect.tryPromise({
    try: () => readFile(value, "utf8"),
    catch: (error) =>
      new ApiKeysProblem({
        message: `INTAKE_API_KEYS names the file ${value}, which cannot be read: ${error instanceof Error ? error.message : String(error)}`
      })
  }).pipe(Effect.flatMap(parseApiKeys))
}

/**
 * The client whose key is `key`, if any. Every stored hash is compared (in constant time), so
 * the time taken says nothing about which client, or how much of a hash, matched.
 */
export const authenticate = (clients: ReadonlyArray<ApiClient>, key: string): ApiClient | undefined => {
  const presented = createHash("sha256").update(key, "utf8").digest()
  let found: ApiClient | undefined
  for (const client of clients) {
    if (timingSafeEqual(presented, client.hash) && found === undefined) found = client
  }
  return found
}

/** The key of an `Authorization: Bearer <key>` header, if it is one. */
export const bearerKey = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined) return undefined
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})\s*$/i.exec(authorization)
  return match === null ? undefined : match[1]
}

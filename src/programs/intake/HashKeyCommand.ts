/**
 * `support-agents intake hash-key [--client NAME]`: reads an API key from stdin (one trailing
 * new line is dropped), prints its SHA-256 in hex, or the `NAME:sha256hex` pair for
 * `INTAKE_API_KEYS` with `--client`. The key itself is never printed. An empty key, one shorter
 * than {@link minApiKeyLength} characters or a client name `INTAKE_API_KEYS` would refuse exits 2
 * with one line on stderr.
 */
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { hashApiKey, isClientName } from "./ApiKeys.ts"

/** The shortest key `hash-key` hashes: 32 characters (`openssl rand -hex 32` gives 64). */
export const minApiKeyLength = 32

/** What `hash-key` prints for `input` (stdin), or why it refuses. */
export const hashKeyLine = (
  input: string,
  client: string | undefined
): { readonly _tag: "Line"; readonly line: string } | { readonly _tag: "Refused"; readonly message: string } => {
  const key = input.endsWith("\r\n") ? input.slice(0, -2) : input.endsWith("\n") ? input.slice(0, -1) : input
  if (client !== undefined && !isClientName(client)) {
    return { _tag: "Refused", message: "--client must be letters, digits and ._- (at most 64, starting with a letter or digit)" }
  }
  if (key === "") return { _tag: "Refused", message: "no API key on stdin (e.g. openssl rand -hex 32 | support-agents intake hash-key)" }
  if (key.length < minApiKeyLength) {
    return { _tag: "Refused", message: `the API key is ${key.length} characters; use one of at least ${minApiKeyLength} (e.g. openssl rand -hex 32)` }
  }
  const hash = hashApiKey(key)
  return { _tag: "Line", line: client === undefined ? hash : `${client}:${hash}` }
}

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

/** The `hash-key` subcommand of `support-agents intake`. */
export const hashKeyCommand = Command.make(
  "hash-key",
  {
    client: Flag.String("client").pipe(
      Flag.withDescription("Print the NAME:sha256hex pair for INTAKE_API_KEYS"),
      Flag.optional
    )
  },
  Effect.fn(function*({ client }) {
    const result = hashKeyLine(yield* readStdin, Option.getOrUndefined(client))
    if (result._tag === "Line") return yield* Console.log(result.line)
    yield* Console.error(`support-agents: ${result.message}`)
    yield* Effect.sync(() => {
      process.exitCode = 2
    })
  })
).pipe(Command.withDescription("Read an API key from stdin and print its SHA-256 (hex) for INTAKE_API_KEYS; --client NAME prints NAME:sha256hex"))

/**
 * What every benchmark script needs: its `--name value` options, and quiet about the one
 * harmless warning kafkajs 2.2 gives on Node >= 24. Imports nothing of the agents (the raw pipe
 * stage uses it and must stay stock kafkajs).
 */

/** kafkajs 2.2 sets a negative timeout once per process on Node >= 24 (a harmless warning). */
export const silenceKafkaJsTimeoutWarning = () => {
  const emitWarning = process.emitWarning.bind(process)
  process.emitWarning = ((warning: string | Error, ...rest: Array<unknown>) => {
    const name = typeof warning === "object" ? warning.name : typeof rest[0] === "string" ? rest[0] : undefined
    if (name === "TimeoutNegativeWarning") return
    ;(emitWarning as (...a: Array<unknown>) => void)(warning, ...rest)
  }) as typeof process.emitWarning
}

/** The command line's arguments after the script. */
export const args = process.argv.slice(2)

/** The value after `name` on the command line, else `fallback`. */
export const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback
}

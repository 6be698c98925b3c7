/**
 * Logging from `LOG_LEVEL` (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, NONE, and Python's WARNING,
 * CRITICAL and NOTSET; any case; default INFO; a given `level`, the command's `--log-level`,
 * wins) and `LOG_FORMAT` (`json`, the default, one object a line; `console`, or `text`, for
 * people; any case).
 */
import { Config, Effect, Formatter, Layer, Logger, type LogLevel, References } from "effect"
import { choice } from "../config/ConfigValues.ts"
import { flushLineSinks, lineSink } from "./LineSink.ts"

/** `LOG_LEVEL` values (any case), Python's names among them, and the level each one sets. */
const levels: Record<string, LogLevel.LogLevel> = {
  TRACE: "Trace",
  DEBUG: "Debug",
  INFO: "Info",
  WARN: "Warn",
  WARNING: "Warn",
  ERROR: "Error",
  CRITICAL: "Fatal",
  FATAL: "Fatal",
  NOTSET: "All",
  ALL: "All",
  NONE: "None"
}

/** What `layerLogging` takes besides the environment's `LOG_LEVEL` and `LOG_FORMAT`. */
export interface LoggingOptions {
  /** Level when `LOG_LEVEL` is not set. */
  readonly defaultLevel?: string | undefined
  /** The level, whatever `LOG_LEVEL` says (the command's `--log-level` flag). */
  readonly level?: LogLevel.LogLevel | undefined
  /** Write to stderr instead of stdout (the demo keeps stdout for its table). */
  readonly stderr?: boolean | undefined
}

/**
 * One JSON line: plain `JSON.stringify` (the structured entry holds JSON values already);
 * Effect's formatter, which handles cycles and redaction, when that fails.
 */
const jsonLine = (entry: unknown): string => {
  try {
    return JSON.stringify(entry)
  } catch {
    return Formatter.formatJson(entry)
  }
}

const isPlain = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean"

/**
 * The line `Logger.formatJson` writes (message, level, timestamp, annotations, spans,
 * fiberId), built directly when the message and the annotations are plain strings, numbers
 * and booleans, as they are on the hot path; Effect's structured formatter otherwise.
 */
const jsonEntry = (options: Logger.Options<unknown>): string => {
  const { cause, date, fiber, logLevel, message } = options
  const single = Array.isArray(message) && message.length === 1 ? message[0] : message
  if (cause.reasons.length > 0 || !isPlain(single)) return jsonLine(Logger.formatStructured.log(options))
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  for (const key in annotations) {
    if (!isPlain(annotations[key])) return jsonLine(Logger.formatStructured.log(options))
  }
  const spans: Record<string, number> = {}
  const now = date.getTime()
  for (const [label, timestamp] of fiber.getRef(References.CurrentLogSpans)) spans[label] = now - timestamp
  return JSON.stringify({
    message: single,
    level: logLevel.toUpperCase(),
    timestamp: date.toISOString(),
    annotations,
    spans,
    fiberId: `#${fiber.id}`
  })
}

/** The JSON logger (`LOG_FORMAT=json`): one line per entry, handed to `write`. */
export const jsonLogger = (write: (line: string) => void): Logger.Logger<unknown, void> =>
  Logger.make((options) => write(jsonEntry(options)))

/** The logger and minimum level for a program. */
export const layerLogging = (options: LoggingOptions = {}): Layer.Layer<never, Config.ConfigError> =>
  Layer.unwrap(Effect.gen(function*() {
    const level = options.level ?? (yield* choice("LOG_LEVEL", Object.keys(levels)).pipe(Config.withDefault(options.defaultLevel ?? "INFO")))
    const format = yield* choice("LOG_FORMAT", ["json", "console"], { text: "console" }).pipe(Config.withDefault("json"))
    const sink = lineSink(options.stderr ? 2 : 1)
    const logger = format === "json"
      ? jsonLogger((line) => sink.write(line))
      : Logger.map(Logger.formatSimple, (line) => sink.write(line))
    return Layer.mergeAll(
      Logger.layer([logger]),
      Layer.succeed(References.MinimumLogLevel, options.level ?? levels[level.toUpperCase()] ?? "Info")
    )
  }))

/**
 * Writes the log lines logged so far (they are otherwise written at the next turn of the event
 * loop): for programs that print a result after logging.
 */
export const flushLogs: Effect.Effect<void> = Effect.sync(flushLineSinks)

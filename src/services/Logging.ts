/**
 * Logging from `LOG_LEVEL` (DEBUG, INFO, WARN, ERROR; default INFO) and `LOG_FORMAT`
 * (`json`, the default, one object a line; `console` for people).
 */
import { Config, Effect, Layer, Logger, type LogLevel, References } from "effect"

const levels: Record<string, LogLevel.LogLevel> = {
  TRACE: "Trace",
  DEBUG: "Debug",
  INFO: "Info",
  WARN: "Warn",
  WARNING: "Warn",
  ERROR: "Error",
  FATAL: "Fatal",
  NONE: "None"
}

export interface LoggingOptions {
  /** Level when `LOG_LEVEL` is not set. */
  readonly defaultLevel?: string | undefined
  /** Write to stderr instead of stdout (the demo keeps stdout for its table). */
  readonly stderr?: boolean | undefined
}

/** The logger and minimum level for a program. */
export const layerLogging = (options: LoggingOptions = {}): Layer.Layer<never, Config.ConfigError> =>
  Layer.unwrap(Effect.gen(function*() {
    const level = yield* Config.Literals(
      Object.keys(levels).flatMap((l) => [l, l.toLowerCase()]),
      "LOG_LEVEL"
    ).pipe(Config.withDefault(options.defaultLevel ?? "INFO"))
    const format = yield* Config.Literals(["json", "console"], "LOG_FORMAT").pipe(Config.withDefault("json"))
    const base = format === "json" ? Logger.formatJson : Logger.formatSimple
    const logger = options.stderr ? Logger.withConsoleError(base) : Logger.withConsoleLog(base)
    return Layer.mergeAll(
      Logger.layer([logger]),
      Layer.succeed(References.MinimumLogLevel, levels[level.toUpperCase()] ?? "Info")
    )
  }))

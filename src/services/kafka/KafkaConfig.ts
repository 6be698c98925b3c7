/**
 * Settings of the kafkajs backend, from the environment. Every bad value is a `ConfigError`
 * naming the variable; the TLS files are read here, so a missing file stops startup too.
 *
 * | Variable                        | Default          |
 * | ------------------------------- | ---------------- |
 * | `KAFKA_BOOTSTRAP_SERVERS`       | (required)       |
 * | `KAFKA_IN_MEMORY`               | `false` (the agents: `true` runs on the in-memory broker instead) |
 * | `KAFKA_CLIENT_ID`               | `support-agents` |
 * | `KAFKA_SASL_MECHANISM`          | none             |
 * | `KAFKA_SASL_USERNAME`           | (with mechanism) |
 * | `KAFKA_SASL_PASSWORD`           | (with mechanism) |
 * | `KAFKA_SSL`                     | `false`          |
 * | `KAFKA_SSL_CA_FILE`             | system CAs       |
 * | `KAFKA_SSL_CERT_FILE`           | none             |
 * | `KAFKA_SSL_KEY_FILE`            | none             |
 * | `KAFKA_SSL_REJECT_UNAUTHORIZED` | `true`           |
 * | `KAFKA_CONNECTION_TIMEOUT_MS`   | `3000`           |
 * | `KAFKA_SESSION_TIMEOUT_MS`      | `30000`          |
 * | `KAFKA_HEARTBEAT_INTERVAL_MS`   | session / 10, at most 3000 |
 * | `KAFKA_OFFSET_RESET`            | `earliest`       |
 * | `KAFKA_FETCH_MAX_BYTES`         | `1048576`        |
 * | `KAFKA_FETCH_MAX_PARTITION_BYTES` | `262144`       |
 * | `KAFKA_PRODUCER_LINGER_MS`      | `5`              |
 */
import { readFileSync } from "node:fs"
import { Config, ConfigProvider, Effect, Option, type Redacted } from "effect"
import { choice, flag } from "../config/ConfigValues.ts"
import { nonNegativeInt, positiveInt } from "../config/ConfigValues.ts"

/** The SASL mechanisms the client supports. */
export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512"

/** SASL authentication: the mechanism and the credentials (the password `Redacted`). */
export interface KafkaSasl {
  readonly mechanism: SaslMechanism
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/** TLS settings; file contents (PEM), not paths. */
export interface KafkaTls {
  readonly ca?: string | undefined
  readonly cert?: string | undefined
  readonly key?: string | undefined
  readonly rejectUnauthorized: boolean
}

/** Connection and client settings of the kafkajs backend. */
export interface KafkaJsOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: ReadonlyArray<string>
  /** Default `support-agents`. */
  readonly clientId?: string | undefined
  readonly sasl?: KafkaSasl | undefined
  /** TLS when set; plaintext otherwise. */
  readonly tls?: KafkaTls | undefined
  /** TCP (+ TLS) connect timeout. Default 3000. */
  readonly connectionTimeoutMs?: number | undefined
  /** Broker request timeout. Default 30000. */
  readonly requestTimeoutMs?: number | undefined
  /** Consumer group session timeout. Default 30000 (brokers accept 6000 to 300000 by default). */
  readonly sessionTimeoutMs?: number | undefined
  /** Consumer heartbeat interval. Default session / 10, at most 3000. */
  readonly heartbeatIntervalMs?: number | undefined
  /** How long a rebalance may take before members are dropped. Default 60000. */
  readonly rebalanceTimeoutMs?: number | undefined
  /** Where a consumer whose options do not say starts without a committed offset. Default `earliest`. */
  readonly offsetReset?: "earliest" | "latest" | undefined
  /** Longest wait of a fetch for new records (also the idle time of a fully paused consumer). Default 500. */
  readonly fetchMaxWaitMs?: number | undefined
  /**
   * Most bytes one fetch brings back (all partitions), and per partition. A fetched response
   * stays in memory, decoded, until the runtime has taken all its records: these bound that
   * memory (kafkajs defaults to 10 MiB and 1 MiB, which under a backlog cost an agent hundreds
   * of megabytes of heap). A record larger than the limits is still fetched, alone. Defaults
   * 1 MiB and 256 KiB.
   */
  readonly fetchMaxBytes?: number | undefined
  readonly fetchMaxBytesPerPartition?: number | undefined
  /**
   * How long the producer lets a batch wait for more records after its first one, unless it
   * is full first (the Java producer's `linger.ms`, 5 by default since Kafka 4.0). Fewer, larger
   * produce requests cost the broker and the agents far less per record. Default 5; 0 sends
   * at the next turn of the event loop.
   */
  readonly producerLingerMs?: number | undefined
  /** Retries of a failed request (connect, produce, commit) before the error surfaces. Default 5. */
  readonly retries?: number | undefined
  /** First retry delay; later ones grow exponentially. Default 300. */
  readonly initialRetryTimeMs?: number | undefined
  /** Longest retry delay. Default 10000. */
  readonly maxRetryTimeMs?: number | undefined
  /**
   * kafkajs's own log level, routed through Effect logging. Default `warn` (the environment
   * variable `KAFKAJS_LOG_LEVEL` of kafkajs overrides it).
   */
  readonly logLevel?: "nothing" | "error" | "warn" | "info" | "debug" | undefined
}

/** The settings with their defaults filled in. */
export interface ResolvedKafkaJsOptions {
  readonly brokers: ReadonlyArray<string>
  readonly clientId: string
  readonly sasl: KafkaSasl | undefined
  readonly tls: KafkaTls | undefined
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly rebalanceTimeoutMs: number
  readonly offsetReset: "earliest" | "latest"
  readonly fetchMaxWaitMs: number
  readonly fetchMaxBytes: number
  readonly fetchMaxBytesPerPartition: number
  readonly producerLingerMs: number
  readonly retries: number
  readonly initialRetryTimeMs: number
  readonly maxRetryTimeMs: number
  readonly logLevel: "nothing" | "error" | "warn" | "info" | "debug"
}

/** The Kafka client id when none is given. */
export const defaultClientId = "support-agents"

export const resolveKafkaJsOptions = (options: KafkaJsOptions): ResolvedKafkaJsOptions => {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000
  return {
    brokers: options.brokers,
    clientId: options.clientId ?? defaultClientId,
    sasl: options.sasl,
    tls: options.tls,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? defaultHeartbeatInterval(sessionTimeoutMs),
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
    offsetReset: options.offsetReset ?? "earliest",
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
    fetchMaxBytes: options.fetchMaxBytes ?? 1_048_576,
    fetchMaxBytesPerPartition: options.fetchMaxBytesPerPartition ?? 262_144,
    producerLingerMs: options.producerLingerMs ?? 5,
    retries: options.retries ?? 5,
    initialRetryTimeMs: options.initialRetryTimeMs ?? 300,
    maxRetryTimeMs: options.maxRetryTimeMs ?? 10_000,
    logLevel: options.logLevel ?? "warn"
  }
}

const defaultHeartbeatInterval = (sessionTimeoutMs: number) => Math.max(100, Math.min(3_000, Math.floor(sessionTimeoutMs / 10)))

const configError = (message: string, cause?: unknown) =>
  new Config.ConfigError(new ConfigProvider.SourceError({ message, cause }))

const configFailure = (message: string) => Config.fail(new ConfigProvider.SourceError({ message }))



/** `host:port` entries, comma-separated; a bad entry names the variable. */
export const parseBootstrapServers = (value: string): Option.Option<ReadonlyArray<string>> => {
  const entries = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
  if (entries.length === 0) return Option.none()
  for (const entry of entries) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(entry)
    if (match === null) return Option.none()
    const port = Number(match[2])
    if (port < 1 || port > 65_535) return Option.none()
  }
  return Option.some(entries)
}

const BootstrapServers = Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(
  Config.mapEffect((value) => {
    const parsed = parseBootstrapServers(value)
    return Option.isSome(parsed)
      ? Effect.succeed(parsed.value)
      : Effect.fail(configError(
        `KAFKA_BOOTSTRAP_SERVERS must be a comma-separated list of host:port (got ${JSON.stringify(value)})`
      ))
  })
)

const Sasl: Config.Config<KafkaSasl | undefined> = choice(
  "KAFKA_SASL_MECHANISM",
  ["plain", "scram-sha-256", "scram-sha-512"]
).pipe(
  Config.option,
  Config.flatMap((mechanism): Config.Config<KafkaSasl | undefined> => {
    if (Option.isNone(mechanism)) return Config.succeed(undefined)
    return Config.all({
      username: Config.NonEmptyString("KAFKA_SASL_USERNAME").pipe(Config.option),
      password: Config.Redacted("KAFKA_SASL_PASSWORD").pipe(Config.option)
    }).pipe(Config.flatMap(({ password, username }): Config.Config<KafkaSasl> => {
      if (Option.isNone(username)) {
        return configFailure(`KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM=${mechanism.value}`)
      }
      if (Option.isNone(password)) {
        return configFailure(`KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM=${mechanism.value}`)
      }
      return Config.succeed({ mechanism: mechanism.value, username: username.value, password: password.value })
    }))
  })
)

/** A PEM file named by `variable`, read now; unreadable → a ConfigError naming the variable. */
const pemFile = (variable: string) =>
  Config.String(variable).pipe(
    Config.option,
    Config.mapEffect((path) =>
      Option.isNone(path) ? Effect.succeed(undefined) : Effect.try({
        try: () => readFileSync(path.value, "utf8"),
        catch: (error) =>
          configError(
            `${variable}=${path.value}: cannot read the file (${error instanceof Error ? error.message : String(error)})`,
            error
          )
      })
    )
  )

const Tls: Config.Config<KafkaTls | undefined> = Config.all({
  enabled: flag("KAFKA_SSL", false),
  ca: pemFile("KAFKA_SSL_CA_FILE"),
  cert: pemFile("KAFKA_SSL_CERT_FILE"),
  key: pemFile("KAFKA_SSL_KEY_FILE"),
  rejectUnauthorized: flag("KAFKA_SSL_REJECT_UNAUTHORIZED", true)
}).pipe(Config.flatMap(({ ca, cert, enabled, key, rejectUnauthorized }): Config.Config<KafkaTls | undefined> => {
  if (!enabled) {
    const set = [ca && "KAFKA_SSL_CA_FILE", cert && "KAFKA_SSL_CERT_FILE", key && "KAFKA_SSL_KEY_FILE"].filter(Boolean)
    return set.length > 0
      ? configFailure(`${set.join(", ")} set but KAFKA_SSL is not true: set KAFKA_SSL=true to use TLS`)
      : Config.succeed(undefined)
  }
  if (cert !== undefined && key === undefined) return configFailure("KAFKA_SSL_KEY_FILE is required with KAFKA_SSL_CERT_FILE")
  if (key !== undefined && cert === undefined) return configFailure("KAFKA_SSL_CERT_FILE is required with KAFKA_SSL_KEY_FILE")
  return Config.succeed({ ca, cert, key, rejectUnauthorized })
}))

const Timeouts = Config.all({
  connectionTimeoutMs: positiveInt("KAFKA_CONNECTION_TIMEOUT_MS").pipe(Config.withDefault(3_000)),
  sessionTimeoutMs: positiveInt("KAFKA_SESSION_TIMEOUT_MS").pipe(Config.withDefault(30_000)),
  heartbeatIntervalMs: positiveInt("KAFKA_HEARTBEAT_INTERVAL_MS").pipe(Config.option)
}).pipe(Config.flatMap(({ connectionTimeoutMs, heartbeatIntervalMs, sessionTimeoutMs }) => {
  const heartbeat = Option.getOrElse(heartbeatIntervalMs, () => defaultHeartbeatInterval(sessionTimeoutMs))
  if (heartbeat >= sessionTimeoutMs) {
    return configFailure(
      `KAFKA_HEARTBEAT_INTERVAL_MS (${heartbeat}) must be lower than KAFKA_SESSION_TIMEOUT_MS (${sessionTimeoutMs}); a third of it or less is usual`
    )
  }
  return Config.succeed({ connectionTimeoutMs, sessionTimeoutMs, heartbeatIntervalMs: heartbeat })
}))

/** The kafkajs settings from the environment (requires `KAFKA_BOOTSTRAP_SERVERS`). */
export const KafkaJsConfig: Config.Config<KafkaJsOptions> = Config.all({
  brokers: BootstrapServers,
  clientId: Config.NonEmptyString("KAFKA_CLIENT_ID").pipe(Config.withDefault(defaultClientId)),
  sasl: Sasl,
  tls: Tls,
  timeouts: Timeouts,
  offsetReset: choice("KAFKA_OFFSET_RESET", ["earliest", "latest"]).pipe(Config.withDefault("earliest")),
  fetchMaxBytes: positiveInt("KAFKA_FETCH_MAX_BYTES").pipe(Config.withDefault(1_048_576)),
  fetchMaxBytesPerPartition: positiveInt("KAFKA_FETCH_MAX_PARTITION_BYTES").pipe(Config.withDefault(262_144)),
  producerLingerMs: nonNegativeInt("KAFKA_PRODUCER_LINGER_MS").pipe(Config.withDefault(5))
}).pipe(Config.map(({ timeouts, ...rest }): KafkaJsOptions => ({ ...rest, ...timeouts })))

/**
 * `KAFKA_IN_MEMORY` (default `false`): run an agent subcommand on the in-memory broker. Without
 * it, and without `KAFKA_BOOTSTRAP_SERVERS`, an agent does not start.
 */
export const KafkaInMemoryConfig: Config.Config<boolean> = Config.Boolean("KAFKA_IN_MEMORY").pipe(Config.withDefault(false))

/** `KafkaJsConfig` when `KAFKA_BOOTSTRAP_SERVERS` is set, `None` otherwise. */
export const KafkaJsConfigOption: Config.Config<Option.Option<KafkaJsOptions>> = Config.String(
  "KAFKA_BOOTSTRAP_SERVERS"
).pipe(
  Config.option,
  Config.flatMap((bootstrap) =>
    Option.isNone(bootstrap) ? Config.succeed(Option.none()) : KafkaJsConfig.pipe(Config.map(Option.some))
  )
)

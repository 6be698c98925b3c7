/**
 * The kafkajs client shared by the producer, the consumers and the topic administration:
 * construction from `KafkaJsOptions`, kafkajs logs routed through Effect logging (secrets
 * scrubbed), and kafkajs errors mapped to `KafkaError` with an honest `retryable`. kafkajs
 * itself is loaded when the first client is made, after its fast paths are installed (see
 * `KafkaJsFastPaths.ts`).
 */
import type { Kafka, KafkaConfig, LogEntry, SASLOptions } from "kafkajs"
import { type Context, Effect, type LogLevel, Redacted } from "effect"
import { KafkaError } from "./Kafka.ts"
import { type KafkaJsOptions, resolveKafkaJsOptions, type ResolvedKafkaJsOptions } from "./KafkaConfig.ts"
import { installKafkaJsFastPaths, kafkaJs } from "./KafkaJsFastPaths.ts"

export type KafkaJs = Kafka

type Operation = KafkaError["operation"]

/** kafkajs error types that mean "this member is no longer part of that generation". */
const rebalanceErrorTypes = new Set([
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "FENCED_INSTANCE_ID"
])

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined

/** The error and its causes (kafkajs wraps errors in `KafkaJSNonRetriableError`, …). */
const causeChain = (error: unknown): Array<unknown> => {
  const chain: Array<unknown> = []
  let current: unknown = error
  while (current !== undefined && current !== null && chain.length < 10 && !chain.includes(current)) {
    chain.push(current)
    current = field(current, "cause") ?? field(current, "originalError")
  }
  return chain
}

/** True when a kafkajs error says the member lost its generation (a rebalance happened). */
export const isRebalanceError = (error: unknown): boolean =>
  causeChain(error).some((e) => {
    const type = field(e, "type")
    return typeof type === "string" && rebalanceErrorTypes.has(type)
  }) || /Consumer group was not initialized/.test(messageOf(error))

/**
 * Broker answers that say the idempotent producer's state (its producer id, epoch and
 * per-partition sequence numbers) no longer matches the broker's. After a broker restart,
 * kafkajs can send a batch again with a sequence number the broker has moved past (the batch
 * it had appended, whose acknowledgement the restart cut off, then went out again with other
 * records: not an exact duplicate) and gets `OUT_OF_ORDER_SEQUENCE_NUMBER`; a producer id the
 * broker has forgotten gives `UNKNOWN_PRODUCER_ID`, a stale epoch `INVALID_PRODUCER_EPOCH`.
 * kafkajs treats them as final and never recovers by itself: that producer fails every
 * later send. A new producer (a new producer id, sequences from 0) is accepted at once.
 */
const producerStateErrorTypes = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING"
])

/** True when a kafkajs error says the producer must be replaced (see `producerStateErrorTypes`). */
export const isProducerStateError = (error: unknown): boolean =>
  causeChain(error).some((e) => {
    const type = field(e, "type")
    return typeof type === "string" && producerStateErrorTypes.has(type)
  })

/**
 * Whether trying again later may succeed: retries exhausted on a retriable error, a lost
 * connection, a timeout, a producer-state error (the producer is replaced before the retry).
 * Non-retriable protocol errors (message too large, authorization, invalid topic,
 * authentication) are not.
 *
 * As kafkajs itself decides whether to restart a crashed consumer, the innermost cause's
 * `retriable` flag decides: kafkajs wraps errors as they pass through its retriers, so a
 * broker that stays unreachable surfaces as `KafkaJSNonRetriableError` ← `KafkaJSNumberOf
 * RetriesExceeded` ← a (retriable) `KafkaJSConnectionError`, while a refused record surfaces
 * as the non-retriable protocol error itself, or wrapped.
 */
export const isRetryable = (error: unknown): boolean => {
  const chain = causeChain(error)
  if (chain.some((e) => /SASL|Authentication/i.test(String(field(e, "name") ?? "")))) return false
  if (isProducerStateError(error)) return true
  const retriable = field(chain[chain.length - 1], "retriable")
  if (typeof retriable === "boolean") return retriable
  return !chain.some((e) => field(e, "name") === "KafkaJSNonRetriableError")
}

const messageOf = (error: unknown): string => {
  const message = field(error, "message")
  return typeof message === "string" ? message : String(error)
}

/** A kafkajs failure as a `KafkaError`; `secrets` are removed from the message. */
export const toKafkaError = (operation: Operation, error: unknown, secrets: ReadonlyArray<string> = []) => {
  const chain = causeChain(error)
  const details = chain.map(messageOf).filter((m, i, all) => m.length > 0 && all.indexOf(m) === i)
  return new KafkaError({
    operation,
    message: scrub(details.join(": ").slice(0, 500), secrets),
    retryable: isRetryable(error),
    cause: error
  })
}

const scrub = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("***")
  return out
}

/** Keys of kafkajs log extras that may be logged (others may carry credentials or payloads). */
const safeLogKeys = new Set([
  "broker",
  "clientId",
  "groupId",
  "memberId",
  "leaderId",
  "topic",
  "partition",
  "error",
  "retryCount",
  "retryTime",
  "correlationId",
  "apiName",
  "apiVersion",
  "generationId",
  "nodeId"
])

const levelOf = (entry: LogEntry): LogLevel.Severity => {
  const { logLevel: KafkaLogLevel } = kafkaJs()
  const message = String(entry.log.message)
  // Error responses are retried by kafkajs; what still fails after that reaches us as a KafkaError.
  if (entry.namespace === "Connection" && message.startsWith("Response ")) return "Debug"
  // The producer's retries are bounded on purpose (errors must surface, not spin forever).
  if (message.startsWith("Limiting retries for the idempotent producer")) return "Debug"
  // Connection failures are retried; one that persists surfaces as a KafkaError.
  if (entry.namespace === "Connection" || message.startsWith("Failed to connect to seed broker")) {
    return entry.level <= KafkaLogLevel.WARN ? "Warn" : "Debug"
  }
  // Rebalances are routine (members joining and leaving).
  if (message.startsWith("The group is rebalancing, re-joining")) return "Info"
  switch (entry.level) {
    case KafkaLogLevel.ERROR:
      return "Error"
    case KafkaLogLevel.WARN:
      return "Warn"
    case KafkaLogLevel.INFO:
      return "Info"
    default:
      return "Debug"
  }
}

/** A kafkajs `logCreator` that logs through Effect with the given services. */
export const effectLogCreator = (services: Context.Context<never>, secrets: ReadonlyArray<string>) => () => (entry: LogEntry) => {
  const annotations: Record<string, string | number | boolean> = { kafkajs: entry.namespace }
  for (const [key, value] of Object.entries(entry.log)) {
    if (!safeLogKeys.has(key)) continue
    if (typeof value === "number" || typeof value === "boolean") annotations[key] = value
    else if (typeof value === "string") annotations[key] = scrub(value, secrets)
  }
  const message = scrub(`kafkajs: ${String(entry.log.message)}`, secrets)
  Effect.runSyncWith(services)(Effect.logWithLevel(levelOf(entry))(message).pipe(Effect.annotateLogs(annotations)))
}

const kafkajsLevel = (level: ResolvedKafkaJsOptions["logLevel"]) => {
  const { logLevel: KafkaLogLevel } = kafkaJs()
  switch (level) {
    case "nothing":
      return KafkaLogLevel.NOTHING
    case "error":
      return KafkaLogLevel.ERROR
    case "warn":
      return KafkaLogLevel.WARN
    case "info":
      return KafkaLogLevel.INFO
    case "debug":
      return KafkaLogLevel.DEBUG
  }
}

export interface KafkaJsHandle {
  readonly client: KafkaJs
  readonly settings: ResolvedKafkaJsOptions
  /** Strings never to log (the SASL password). */
  readonly secrets: ReadonlyArray<string>
  /** Runs an effect with the services the client was made with (for kafkajs callbacks). */
  readonly services: Context.Context<never>
}

/** The kafkajs client configuration of `settings` (without the logger). */
export const toKafkaJsConfig = (settings: ResolvedKafkaJsOptions): KafkaConfig => {
  const sasl: SASLOptions | undefined = settings.sasl === undefined ? undefined : {
    mechanism: settings.sasl.mechanism,
    username: settings.sasl.username,
    password: Redacted.value(settings.sasl.password)
  }
  const tls = settings.tls
  return {
    brokers: [...settings.brokers],
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: {
      retries: settings.retries,
      initialRetryTime: settings.initialRetryTimeMs,
      maxRetryTime: settings.maxRetryTimeMs
    },
    logLevel: kafkajsLevel(settings.logLevel),
    ...(sasl === undefined ? {} : { sasl }),
    ...(tls === undefined ? {} : {
      ssl: {
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(tls.ca === undefined ? {} : { ca: [tls.ca] }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key })
      }
    })
  }
}

/**
 * Builds the kafkajs client; its logs go through the current Effect logger. The fast paths are
 * installed first (once per process; a WARN for any that cannot be), then kafkajs is loaded.
 */
export const makeKafkaJsClient = (options: KafkaJsOptions): Effect.Effect<KafkaJsHandle> =>
  Effect.gen(function*() {
    const settings = resolveKafkaJsOptions(options)
    const services = yield* Effect.context<never>()
    const secrets = settings.sasl === undefined ? [] : [Redacted.value(settings.sasl.password)]
    const { batches, crc32c, grouping, headers, records, varint } = yield* installKafkaJsFastPaths()
    const { Kafka: KafkaClient } = kafkaJs()
    const client = new KafkaClient({ ...toKafkaJsConfig(settings), logCreator: effectLogCreator(services, secrets) })
    yield* Effect.logDebug("kafkajs fast paths").pipe(
      Effect.annotateLogs({ crc32c, varint, headers, records, batches, grouping })
    )
    return { client, settings, secrets, services }
  })

/** A kafkajs promise as an Effect failing with `KafkaError`. */
export const attempt = <A>(
  handle: Pick<KafkaJsHandle, "secrets">,
  operation: Operation,
  promise: () => Promise<A>
): Effect.Effect<A, KafkaError> =>
  Effect.tryPromise({ try: promise, catch: (error) => toKafkaError(operation, error, handle.secrets) })

/**
 * The intake service's settings (`support-agents intake`), read from the environment by
 * `IntakeConfig`: where its HTTP API listens and what it allows (`INTAKE_HTTP_*`), the clients'
 * keys and their rate (`INTAKE_API_KEYS`, `INTAKE_KEY_RATE_LIMIT_*`), how long a write to Kafka
 * may take, and the bounds of its idempotency store and of its projection.
 */
import { Config, Redacted, Schema } from "effect"
import { groupIdConfig } from "../../services/config/AppConfig.ts"
import { positiveInt } from "../../services/config/ConfigValues.ts"
import {
  allowedHostsConfig,
  defaultProtectionPolicy,
  maxBodyBytesConfig,
  type RateLimit,
  rateLimitConfig
} from "../../services/http/Protection.ts"

/** The intake service's settings. */
export interface IntakeSettings {
  /** `KAFKA_GROUP_ID` (default `intake`): the prefix of the projection's consumer group (one group per process). */
  readonly groupId: string
  /** `INTAKE_HTTP_HOST`, default `0.0.0.0`. */
  readonly host: string
  /** `INTAKE_HTTP_PORT`, default 8095 (0 picks a free port). */
  readonly port: number
  /** `INTAKE_HTTP_ALLOWED_HOSTS`: names a `Host` may give besides IP literals, `localhost` and the bind host (`*`: any). */
  readonly allowedHosts: ReadonlyArray<string> | "any"
  /** `INTAKE_HTTP_MAX_BODY_BYTES`, default 65536. */
  readonly maxBodyBytes: number
  /** `INTAKE_HTTP_RATE_LIMIT_PER_SECOND` / `_BURST`: per client address, before authentication. */
  readonly addressRateLimit: RateLimit
  /** `INTAKE_KEY_RATE_LIMIT_PER_SECOND` / `_BURST`: per API key (client). */
  readonly keyRateLimit: RateLimit
  /** `INTAKE_API_KEYS`: `client:sha256hex` pairs, or the path of a file holding them. */
  readonly apiKeys: Redacted.Redacted<string>
  /** `INTAKE_PRODUCE_TIMEOUT_MS`: how long a request waits for Kafka's acknowledgement before `503`. */
  readonly produceTimeoutMs: number
  /** `INTAKE_MAX_PENDING_WRITES`: writes to Kafka waiting at once; more answer `503`. */
  readonly maxPendingWrites: number
  /** `INTAKE_IDEMPOTENCY_TTL_MS`: how long an answer is kept for retries. */
  readonly idempotencyTtlMs: number
  /** `INTAKE_IDEMPOTENCY_MAX_ENTRIES`: answers kept at most (the oldest go first). */
  readonly idempotencyMaxEntries: number
  /** `INTAKE_PROJECTION_MAX_TICKETS`: tickets the projection keeps at most (the least recently changed go first). */
  readonly projectionMaxTickets: number
}

/** The defaults: 0.0.0.0:8095, 64 KiB bodies, 10 requests/s per key (bursts of 50), 5 s for Kafka, 24 h of idempotency. */
export const intakeDefaults: Omit<IntakeSettings, "apiKeys"> = {
  groupId: "intake",
  host: "0.0.0.0",
  port: 8095,
  allowedHosts: [],
  maxBodyBytes: defaultProtectionPolicy.maxBodyBytes,
  addressRateLimit: { perSecond: 200, burst: 4000 },
  keyRateLimit: { perSecond: 10, burst: 50 },
  produceTimeoutMs: 5_000,
  maxPendingWrites: 1_000,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  idempotencyMaxEntries: 100_000,
  projectionMaxTickets: 100_000
}

/** Every `INTAKE_*` setting, `KAFKA_GROUP_ID`; `INTAKE_API_KEYS` is checked when the service starts (`ApiKeys.ts`). */
export const IntakeConfig: Config.Config<IntakeSettings> = Config.all({
  groupId: groupIdConfig(intakeDefaults.groupId),
  host: Config.String("INTAKE_HTTP_HOST").pipe(Config.withDefault(intakeDefaults.host)),
  port: Config.schema(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })), "INTAKE_HTTP_PORT").pipe(
    Config.withDefault(intakeDefaults.port)
  ),
  allowedHosts: allowedHostsConfig("INTAKE_HTTP_ALLOWED_HOSTS", intakeDefaults.allowedHosts),
  maxBodyBytes: maxBodyBytesConfig("INTAKE_HTTP", intakeDefaults.maxBodyBytes),
  addressRateLimit: rateLimitConfig("INTAKE_HTTP", intakeDefaults.addressRateLimit),
  keyRateLimit: rateLimitConfig("INTAKE_KEY", intakeDefaults.keyRateLimit),
  apiKeys: Config.Redacted("INTAKE_API_KEYS").pipe(Config.withDefault(Redacted.make(""))),
  produceTimeoutMs: positiveInt("INTAKE_PRODUCE_TIMEOUT_MS", intakeDefaults.produceTimeoutMs),
  maxPendingWrites: positiveInt("INTAKE_MAX_PENDING_WRITES", intakeDefaults.maxPendingWrites),
  idempotencyTtlMs: positiveInt("INTAKE_IDEMPOTENCY_TTL_MS", intakeDefaults.idempotencyTtlMs),
  idempotencyMaxEntries: positiveInt("INTAKE_IDEMPOTENCY_MAX_ENTRIES", intakeDefaults.idempotencyMaxEntries),
  projectionMaxTickets: positiveInt("INTAKE_PROJECTION_MAX_TICKETS", intakeDefaults.projectionMaxTickets)
})

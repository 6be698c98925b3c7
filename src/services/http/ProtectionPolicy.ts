/**
 * What an HTTP server of this project allows (`HttpProtectionPolicy`): body and head sizes,
 * slow-client timeouts, hosts, origins, methods and the per-client rate; the defaults every
 * server starts from, and the configuration helpers with which each server reads its own
 * variables. `Protection.ts` enforces it.
 */
import { Config } from "effect"
import { positiveInt } from "../config/ConfigValues.ts"

/** A per-client token bucket: the sustained rate and the burst. */
export interface RateLimit {
  /** Requests a client may make per second, sustained. */
  readonly perSecond: number
  /** Requests a client may make at once (the bucket's size). */
  readonly burst: number
}

/** What a protected server allows: sizes, timeouts, hosts, origins, methods and rate. */
export interface HttpProtectionPolicy {
  /** Largest request body, in bytes (0: no body at all). */
  readonly maxBodyBytes: number
  /** Largest request head (request line and headers), in bytes: Node's `maxHeaderSize`. */
  readonly maxHeaderBytes: number
  /** Time for a client to send the request head (Node's `headersTimeout`). */
  readonly headersTimeoutMs: number
  /** Time for a client to send the whole request (Node's `requestTimeout`). */
  readonly requestTimeoutMs: number
  /**
   * Host names a request's `Host` may name, or `"any"`. An entry starting with a dot matches
   * every name under it. IP literals and `localhost` are always allowed.
   */
  readonly allowedHosts: ReadonlyArray<string> | "any"
  /** Origins (`scheme://host[:port]`) besides the request's own host that may change state. */
  readonly allowedOrigins: ReadonlyArray<string>
  /** The methods served; others answer 405. */
  readonly methods: ReadonlyArray<string>
  /** Per client address; `undefined`: no limit. */
  readonly rateLimit: RateLimit | undefined
}

/** The defaults every server starts from: 64 KiB bodies, 16 KiB heads, any host, GET/HEAD/POST. */
export const defaultProtectionPolicy: HttpProtectionPolicy = {
  maxBodyBytes: 64 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  allowedHosts: "any",
  allowedOrigins: [],
  methods: ["GET", "HEAD", "POST"],
  rateLimit: { perSecond: 200, burst: 4000 }
}

// ---------------------------------------------------------------------------
// Configuration helpers (each server names its own variables)
// ---------------------------------------------------------------------------

/** A comma-separated host list; `*` means any host. */
export const allowedHostsConfig = (name: string, fallback: ReadonlyArray<string> | "any") =>
  Config.String(name).pipe(
    Config.map((text): ReadonlyArray<string> | "any" => {
      const entries = splitList(text)
      return entries.includes("*") ? "any" : entries.map(normalizeHost)
    }),
    Config.withDefault(fallback)
  )

/** A comma-separated list of origins (`https://review.example.com`). */
export const allowedOriginsConfig = (name: string) =>
  Config.String(name).pipe(
    Config.map((text) => splitList(text).map((origin) => origin.replace(/\/+$/, "").toLowerCase())),
    Config.withDefault<ReadonlyArray<string>>([])
  )

/** `<PREFIX>_RATE_LIMIT_PER_SECOND` and `<PREFIX>_RATE_LIMIT_BURST`. */
export const rateLimitConfig = (prefix: string, fallback: RateLimit): Config.Config<RateLimit> =>
  Config.all({
    perSecond: positiveInt(`${prefix}_RATE_LIMIT_PER_SECOND`, fallback.perSecond),
    burst: positiveInt(`${prefix}_RATE_LIMIT_BURST`, fallback.burst)
  })

/** `<PREFIX>_MAX_BODY_BYTES`. */
export const maxBodyBytesConfig = (prefix: string, fallback: number) =>
  positiveInt(`${prefix}_MAX_BODY_BYTES`, fallback)

const splitList = (text: string): Array<string> =>
  text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")

/** A host name as the checks compare it: lower case, without IPv6 brackets or a final dot. */
export const normalizeHost = (host: string): string => host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "")

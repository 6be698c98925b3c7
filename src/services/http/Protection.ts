/**
 * What makes an HTTP server of this project safe to expose, in one place: every server (the
 * escalation API and review page, the metrics and health endpoints, and any later one) is a
 * `createProtectedServer(policy)`, which checks each request before the application sees it.
 *
 * - **Sizes.** Header size and the slow-client timeouts are Node's own server options. A body
 *   is read here, counted while it arrives, and refused with `413` as soon as it passes
 *   `maxBodyBytes` (at once when `Content-Length` says so): it is never buffered beyond the
 *   limit. The application gets a request whose body is the bytes already read.
 * - **Bodies.** A body that is not valid UTF-8 answers `400`.
 * - **Host.** The `Host` header must name an allowed host (DNS rebinding); IP literals are
 *   always allowed (a rebinding attack needs a name), as are `localhost` names.
 * - **CSRF.** A state-changing method needs `Content-Type: application/json` (`415` otherwise,
 *   so form posts, `no-cors` fetches and beacons are refused), an `Origin`, if sent, of the same
 *   host or the allowed list, and no `Sec-Fetch-Site` of another site (`403`).
 * - **Methods.** Only the policy's methods (`405` with `Allow`).
 * - **Rate.** A token bucket per client address (`429` with `Retry-After`).
 * - **Headers.** Every response carries `nosniff`, a CSP (`default-src 'none'` unless the
 *   application sets its own), `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`,
 *   `Cross-Origin-Resource-Policy: same-origin` and `Cache-Control: no-store` (unless set).
 *
 * Refusals answer `{error, message}` JSON, as the escalation API's own errors do.
 */
import { Config, Schema } from "effect"
import { IncomingMessage, Server, ServerResponse } from "node:http"
import { isIP } from "node:net"
import { EventEmitter } from "node:events"
import { positiveInt } from "../config/ConfigValues.ts"

// ---------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------

/** A per-client token bucket: the sustained rate and the burst. */
export interface RateLimit {
  /** Requests a client may make per second, sustained. */
  readonly perSecond: number
  /** Requests a client may make at once (the bucket's size). */
  readonly burst: number
}

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

/** The headers every response carries (the application's own values win). */
export const securityHeaders: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store"
}

const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"])

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

const normalizeHost = (host: string): string => host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "")

// ---------------------------------------------------------------------------
// Startup
// ---------------------------------------------------------------------------

/** A server could not listen: the message names the variables, the address and the reason. */
export class HttpListenError extends Schema.TaggedError<HttpListenError>()("HttpListenError", {
  message: Schema.String
}) {}

/** The listen failure of `host:port`, configured by `hostVariable` and `portVariable`. */
export const listenError = (
  what: string,
  variables: { readonly host: string; readonly port: string },
  address: { readonly host: string; readonly port: number },
  cause: unknown
): HttpListenError => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  const reason = code === "EADDRINUSE"
    ? "the port is in use by another process"
    : code === "EADDRNOTAVAIL"
    ? "the address is not one of this machine's"
    : code === "EACCES"
    ? "permission denied (a port below 1024 needs privileges)"
    : code === "ENOTFOUND" || code === "EAI_AGAIN"
    ? "the host name does not resolve"
    : cause instanceof Error && cause.message !== ""
    ? cause.message
    : String(cause)
  return new HttpListenError({
    message: `${what} cannot listen on ${variables.host}=${address.host} ${variables.port}=${address.port}: ${reason}${
      code === undefined ? "" : ` (${code})`
    }`
  })
}

// ---------------------------------------------------------------------------
// Token buckets per client
// ---------------------------------------------------------------------------

interface Bucket {
  tokens: number
  at: number
}

/** Token buckets by client; full buckets are forgotten, so memory follows the active clients. */
export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  readonly limit: RateLimit
  private readonly now: () => number
  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.limit = limit
    this.now = now
  }

  /** Takes a token for `client`: 0 when allowed, else the seconds until one is available. */
  take(client: string): number {
    const now = this.now()
    if (this.buckets.size > 10_000) this.sweep(now)
    const bucket = this.buckets.get(client) ?? { tokens: this.limit.burst, at: now }
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond)
    bucket.at = now
    this.buckets.set(client, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond))
  }

  private sweep(now: number) {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond >= this.limit.burst) {
        this.buckets.delete(client)
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------

/** Why a request is refused, before the application sees it. */
export interface Refusal {
  readonly status: number
  readonly error: string
  readonly message: string
  readonly headers?: Readonly<Record<string, string>>
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The host name of a `Host` header (port and IPv6 brackets removed), or undefined. */
export const hostNameOf = (host: string): string | undefined => {
  try {
    return normalizeHost(new URL(`http://${host}`).hostname)
  } catch {
    return undefined
  }
}

const hostAllowed = (policy: HttpProtectionPolicy, hostHeader: string | undefined): boolean => {
  if (policy.allowedHosts === "any") return true
  if (hostHeader === undefined) return false
  const name = hostNameOf(hostHeader)
  if (name === undefined) return false
  if (isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost")) return true
  return policy.allowedHosts.some((entry) => entry.startsWith(".") ? name.endsWith(entry) : name === entry)
}

const jsonContentType = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i

/** The checks made on the request head, in order; `undefined` lets the request through. */
export const checkRequestHead = (
  policy: HttpProtectionPolicy,
  req: IncomingMessage,
  limiter: ClientRateLimiter | undefined
): Refusal | undefined => {
  if (limiter !== undefined) {
    const wait = limiter.take(req.socket.remoteAddress ?? "unknown")
    if (wait > 0) {
      return {
        status: 429,
        error: "rate_limited",
        message: "too many requests from this client; try again later",
        headers: { "retry-after": String(wait) }
      }
    }
  }
  const host = header(req, "host")
  if (!hostAllowed(policy, host)) {
    return { status: 421, error: "host_not_allowed", message: "this server does not answer for that Host" }
  }
  const method = (req.method ?? "GET").toUpperCase()
  if (!policy.methods.includes(method)) {
    return {
      status: 405,
      error: "method_not_allowed",
      message: `${method} is not served here`,
      headers: { allow: policy.methods.join(", ") }
    }
  }
  if (stateChanging.has(method)) {
    const site = header(req, "sec-fetch-site")?.toLowerCase()
    if (site === "cross-site" || site === "same-site") {
      return { status: 403, error: "cross_site", message: "state-changing requests from another site are refused" }
    }
    const origin = header(req, "origin")
    if (origin !== undefined && !originAllowed(policy, origin, host)) {
      return { status: 403, error: "origin_not_allowed", message: "state-changing requests from that origin are refused" }
    }
    const contentType = header(req, "content-type")
    if (contentType === undefined || !jsonContentType.test(contentType.trim())) {
      return {
        status: 415,
        error: "unsupported_media_type",
        message: "send the body as JSON with Content-Type: application/json"
      }
    }
  }
  const length = header(req, "content-length")
  if (length !== undefined && Number(length) > policy.maxBodyBytes) {
    return tooLarge(policy)
  }
  return undefined
}

const originAllowed = (policy: HttpProtectionPolicy, origin: string, host: string | undefined): boolean => {
  const normalized = origin.trim().toLowerCase()
  if (policy.allowedOrigins.includes(normalized)) return true
  if (host === undefined) return false
  try {
    const url = new URL(normalized)
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === new URL(`http://${host.toLowerCase()}`).host
  } catch {
    return false
  }
}

const tooLarge = (policy: HttpProtectionPolicy): Refusal => ({
  status: 413,
  error: "payload_too_large",
  message: `the request body is larger than ${policy.maxBodyBytes} bytes`
})

const invalidUtf8: Refusal = { status: 400, error: "bad_request", message: "the request body is not valid UTF-8" }

// ---------------------------------------------------------------------------
// Answering
// ---------------------------------------------------------------------------

/** Sets the security headers the application has not set itself (call before writing). */
export const applySecurityHeaders = (res: ServerResponse) => {
  for (const [name, value] of Object.entries(securityHeaders)) {
    if (!res.hasHeader(name)) res.setHeader(name, value)
  }
}

/** How many bytes of a refused body are read and dropped before the connection is cut. */
const drainLimitBytes = 1024 * 1024

/**
 * Answers `refusal`. When the request's body has not been read, the connection is closed after
 * the answer: what the client still sends is read and dropped up to a small limit (so the
 * client sees the answer instead of a reset), then the socket is destroyed.
 */
export const refuse = (req: IncomingMessage, res: ServerResponse, refusal: Refusal) => {
  const bodyPending = !req.complete
  if (bodyPending) {
    res.shouldKeepAlive = false
    res.setHeader("connection", "close")
    let dropped = 0
    const onData = (chunk: Buffer) => {
      dropped += chunk.length
      if (dropped > drainLimitBytes) {
        req.off("data", onData)
        req.socket.destroy()
      }
    }
    req.on("data", onData)
    req.resume()
    res.once("finish", () => {
      if (!req.complete) {
        const timer = setTimeout(() => req.socket.destroy(), 1000)
        timer.unref()
        req.once("end", () => clearTimeout(timer))
      }
    })
  }
  const body = JSON.stringify({ error: refusal.error, message: refusal.message })
  res.writeHead(refusal.status, {
    ...refusal.headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body)
  })
  res.end(req.method === "HEAD" ? undefined : body)
}

// ---------------------------------------------------------------------------
// Reading the body
// ---------------------------------------------------------------------------

const isResponse = (value: unknown): value is ServerResponse => value instanceof ServerResponse

const hasBody = (req: IncomingMessage): boolean =>
  header(req, "transfer-encoding") !== undefined || Number(header(req, "content-length") ?? "0") > 0

/**
 * Reads the body up to the limit; `Refusal` when it is larger or not UTF-8, else the bytes.
 * Reading stops at the limit: nothing past it is kept.
 */
const readBody = (policy: HttpProtectionPolicy, req: IncomingMessage): Promise<Buffer | Refusal | "aborted"> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let done = false
    const finish = (result: Buffer | Refusal | "aborted") => {
      if (done) return
      done = true
      req.off("data", onData)
      req.off("end", onEnd)
      req.off("error", onAbort)
      req.off("close", onClose)
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > policy.maxBodyBytes) {
        chunks.length = 0
        req.pause()
        return finish(tooLarge(policy))
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      const body = Buffer.concat(chunks, size)
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(body)
      } catch {
        return finish(invalidUtf8)
      }
      finish(body)
    }
    const onAbort = () => finish("aborted")
    const onClose = () => {
      if (!req.complete) finish("aborted")
    }
    req.on("data", onData)
    req.on("end", onEnd)
    req.on("error", onAbort)
    req.on("close", onClose)
  })

/** A request with the head of `req` whose body is `body` (already read and checked). */
const withBody = (req: IncomingMessage, body: Buffer): IncomingMessage => {
  const copy = new IncomingMessage(req.socket)
  copy.method = req.method
  copy.url = req.url
  copy.headers = req.headers
  copy.rawHeaders = req.rawHeaders
  copy.httpVersion = req.httpVersion
  copy.httpVersionMajor = req.httpVersionMajor
  copy.httpVersionMinor = req.httpVersionMinor
  copy.trailers = req.trailers
  copy.rawTrailers = req.rawTrailers
  copy.complete = true
  if (body.length > 0) copy.push(body)
  copy.push(null)
  return copy
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** Reads and checks the body, then `next` with a request whose body is those bytes. */
const passBody = (policy: HttpProtectionPolicy, req: IncomingMessage, res: ServerResponse, next: Handler): void => {
  if (!hasBody(req)) return next(req, res)
  readBody(policy, req).then((result) => {
    if (result === "aborted") return
    if (Buffer.isBuffer(result)) return next(withBody(req, result), res)
    refuse(req, res, result)
  })
}

/**
 * Runs the checks, then `next` with a request whose body is read and checked, or answers the
 * refusal. `continueFirst`: the client waits for `100 Continue` before sending its body.
 */
export const guardRequest = (policy: HttpProtectionPolicy, limiter: ClientRateLimiter | undefined) =>
(req: IncomingMessage, res: ServerResponse, next: Handler, continueFirst = false): void => {
  applySecurityHeaders(res)
  const refusal = checkRequestHead(policy, req, limiter)
  if (refusal !== undefined) return refuse(req, res, refusal)
  if (continueFirst) res.writeContinue()
  passBody(policy, req, res, next)
}

/**
 * A Node HTTP server that runs every request through the policy's checks before its
 * `request` listeners see it (so it works for `NodeHttpServer.layer` and plain handlers alike).
 * `Expect: 100-continue` is answered only after the head passed.
 */
export const createProtectedServer = (policy: HttpProtectionPolicy, handler?: Handler): Server => {
  const limiter = policy.rateLimit === undefined ? undefined : new ClientRateLimiter(policy.rateLimit)
  const guard = guardRequest(policy, limiter)
  const server = new Server({
    maxHeaderSize: policy.maxHeaderBytes,
    headersTimeout: policy.headersTimeoutMs,
    requestTimeout: policy.requestTimeoutMs
  })
  const emit = (event: string | symbol, ...args: Array<unknown>): boolean =>
    EventEmitter.prototype.emit.call(server, event, ...args)
  const next: Handler = (req, res) => {
    emit("request", req, res)
  }
  // The listeners (Effect's handler among them) only ever see checked requests.
  server.emit = (event: string | symbol, ...args: Array<unknown>): boolean => {
    const [req, res] = args
    if ((event === "request" || event === "checkContinue") && req instanceof IncomingMessage && isResponse(res)) {
      guard(req, res, next, event === "checkContinue")
      return true
    }
    return emit(event, ...args)
  }
  // Node emits `checkContinue` (instead of answering 100 at once) only when it has a listener:
  // this one is never called (the emit above takes the event), it makes Node leave 100 to us.
  server.on("checkContinue", () => {})
  server.on("clientError", (error: Error & { code?: string }, socket) => {
    if (!socket.writable) return socket.destroy()
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
    const body = JSON.stringify({
      error: status === 431 ? "headers_too_large" : status === 408 ? "request_timeout" : "bad_request",
      message: status === 431 ? "the request headers are too large" : status === 408 ? "the request took too long" : "the request could not be read"
    })
    const head = [
      `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request"}`,
      "content-type: application/json",
      `content-length: ${Buffer.byteLength(body)}`,
      "connection: close",
      ...Object.entries(securityHeaders).map(([name, value]) => `${name}: ${value}`)
    ]
    socket.end(`${head.join("\r\n")}\r\n\r\n${body}`)
  })
  if (handler !== undefined) server.on("request", handler)
  return server
}

/**
 * The checks a protected server makes on a request's head, before it reads the body:
 *
 * - **Rate.** A token bucket per client address (`429` with `Retry-After`; `ClientRateLimiter.ts`).
 * - **Host.** The `Host` header must name an allowed host (DNS rebinding); IP literals are
 *   always allowed (a rebinding attack needs a name), as are `localhost` names.
 * - **Methods.** Only the policy's methods (`405` with `Allow`).
 * - **CSRF.** A state-changing method needs `Content-Type: application/json` (`415` otherwise,
 *   so form posts, `no-cors` fetches and beacons are refused), an `Origin`, if sent, of the same
 *   host or the allowed list, and no `Sec-Fetch-Site` of another site (`403`).
 * - **Size.** A `Content-Length` over `maxBodyBytes` answers `413` at once.
 */
import type { IncomingMessage } from "node:http"
import { isIP } from "node:net"
import type { ClientRateLimiter } from "./ClientRateLimiter.ts"
import { type HttpProtectionPolicy, normalizeHost } from "./ProtectionPolicy.ts"
import { type Refusal, tooLarge } from "./Refusal.ts"

const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** The first value of a request header, or undefined. */
export const requestHeader = (req: IncomingMessage, name: string): string | undefined => {
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
  const host = requestHeader(req, "host")
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
    const site = requestHeader(req, "sec-fetch-site")?.toLowerCase()
    if (site === "cross-site" || site === "same-site") {
      return { status: 403, error: "cross_site", message: "state-changing requests from another site are refused" }
    }
    const origin = requestHeader(req, "origin")
    if (origin !== undefined && !originAllowed(policy, origin, host)) {
      return { status: 403, error: "origin_not_allowed", message: "state-changing requests from that origin are refused" }
    }
    const contentType = requestHeader(req, "content-type")
    if (contentType === undefined || !jsonContentType.test(contentType.trim())) {
      return {
        status: 415,
        error: "unsupported_media_type",
        message: "send the body as JSON with Content-Type: application/json"
      }
    }
  }
  const length = requestHeader(req, "content-length")
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

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
 *
 * The parts, each in its module: the policy and its configuration (`ProtectionPolicy.ts`), the
 * checks of the request head (`RequestChecks.ts`, with the rate limit of `ClientRateLimiter.ts`),
 * the reading of the body (`RequestBody.ts`), refusals (`Refusal.ts`), the response headers
 * (`SecurityHeaders.ts`) and listen failures (`HttpListenError.ts`). This module puts them
 * together in the server and re-exports them, so that a server imports its protection from one
 * place.
 */
import { EventEmitter } from "node:events"
import { IncomingMessage, Server, ServerResponse } from "node:http"
import { ClientRateLimiter } from "./ClientRateLimiter.ts"
import type { HttpProtectionPolicy } from "./ProtectionPolicy.ts"
import { refuse } from "./Refusal.ts"
import { passBody, type RequestHandler } from "./RequestBody.ts"
import { checkRequestHead } from "./RequestChecks.ts"
import { applySecurityHeaders, securityHeaders } from "./SecurityHeaders.ts"

export { ClientRateLimiter } from "./ClientRateLimiter.ts"
export { HttpListenError, listenError } from "./HttpListenError.ts"
export {
  allowedHostsConfig,
  allowedOriginsConfig,
  defaultProtectionPolicy,
  type HttpProtectionPolicy,
  maxBodyBytesConfig,
  type RateLimit,
  rateLimitConfig
} from "./ProtectionPolicy.ts"
export { type Refusal, refuse } from "./Refusal.ts"
export { checkRequestHead, hostNameOf } from "./RequestChecks.ts"
export { applySecurityHeaders, securityHeaders } from "./SecurityHeaders.ts"

const isResponse = (value: unknown): value is ServerResponse => value instanceof ServerResponse

/**
 * Runs the checks, then `next` with a request whose body is read and checked, or answers the
 * refusal. `continueFirst`: the client waits for `100 Continue` before sending its body.
 */
export const guardRequest = (policy: HttpProtectionPolicy, limiter: ClientRateLimiter | undefined) =>
(req: IncomingMessage, res: ServerResponse, next: RequestHandler, continueFirst = false): void => {
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
export const createProtectedServer = (policy: HttpProtectionPolicy, handler?: RequestHandler): Server => {
  const limiter = policy.rateLimit === undefined ? undefined : new ClientRateLimiter(policy.rateLimit)
  const guard = guardRequest(policy, limiter)
  const server = new Server({
    maxHeaderSize: policy.maxHeaderBytes,
    headersTimeout: policy.headersTimeoutMs,
    requestTimeout: policy.requestTimeoutMs
  })
  const emit = (event: string | symbol, ...args: Array<unknown>): boolean =>
    EventEmitter.prototype.emit.call(server, event, ...args)
  const next: RequestHandler = (req, res) => {
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

/**
 * A request refused before the application sees it, and how it is answered: `{error, message}`
 * JSON, as the escalation API's own errors are; when the body has not been read, the
 * connection is closed after the answer without reading more than a little of it.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { HttpProtectionPolicy } from "./ProtectionPolicy.ts"

/** Why a request is refused, before the application sees it. */
export interface Refusal {
  readonly status: number
  readonly error: string
  readonly message: string
  readonly headers?: Readonly<Record<string, string>>
}

/** The refusal of a body larger than the policy allows (`413`). */
export const tooLarge = (policy: HttpProtectionPolicy): Refusal => ({
  status: 413,
  error: "payload_too_large",
  message: `the request body is larger than ${policy.maxBodyBytes} bytes`
})

/** The refusal of a body that is not valid UTF-8 (`400`). */
export const invalidUtf8: Refusal = { status: 400, error: "bad_request", message: "the request body is not valid UTF-8" }

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

/**
 * The body of a request to a protected server, read before the application sees it: counted
 * while it arrives and refused with `413` as soon as it passes `maxBodyBytes`, so that it is
 * never buffered beyond the limit; refused with `400` when it is not valid UTF-8. The
 * application gets a request whose body is the bytes already read.
 */
import { IncomingMessage, type ServerResponse } from "node:http"
import type { HttpProtectionPolicy } from "./ProtectionPolicy.ts"
import { invalidUtf8, type Refusal, refuse, tooLarge } from "./Refusal.ts"
import { requestHeader } from "./RequestChecks.ts"

/** What handles a checked request (a Node `request` listener). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

const hasBody = (req: IncomingMessage): boolean =>
  requestHeader(req, "transfer-encoding") !== undefined || Number(requestHeader(req, "content-length") ?? "0") > 0

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

/** Reads and checks the body, then `next` with a request whose body is those bytes. */
export const passBody = (policy: HttpProtectionPolicy, req: IncomingMessage, res: ServerResponse, next: RequestHandler): void => {
  if (!hasBody(req)) return next(req, res)
  readBody(policy, req).then((result) => {
    if (result === "aborted") return
    if (Buffer.isBuffer(result)) return next(withBody(req, result), res)
    refuse(req, res, result)
  })
}

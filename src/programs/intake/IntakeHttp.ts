/**
 * The intake's HTTP server: a protected server (`services/http/Protection.ts`: body limit with
 * `413` while reading, invalid UTF-8 `400`, header limits, `Host` allow-list, JSON-only
 * state changes, security headers, a rate per client address) whose requests go to the
 * handler (`IntakeHandler.ts`), each answer counted by route and status with its duration
 * (`IntakeMetrics.ts`; not the requests the protection turns away). A port in use or a bad bind fails with `HttpListenError`,
 * naming `INTAKE_HTTP_HOST` and `INTAKE_HTTP_PORT`.
 */
import { Effect, type Scope } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import {
  createProtectedServer,
  defaultProtectionPolicy,
  type HttpListenError,
  type HttpProtectionPolicy,
  listenError
} from "../../services/http/Protection.ts"
import type { IntakeRequest, IntakeResponse } from "./IntakeHandler.ts"
import { type IntakeMetrics, intakeRouteOf, noopIntakeMetrics } from "./IntakeMetrics.ts"
import type { IntakeSettings } from "./IntakeSettings.ts"

/** The protection of the intake server: GET, HEAD and POST; the bind host is allowed as a Host. */
export const intakeProtection = (
  settings: Pick<IntakeSettings, "allowedHosts" | "host" | "maxBodyBytes" | "addressRateLimit">
): HttpProtectionPolicy => ({
  ...defaultProtectionPolicy,
  methods: ["GET", "HEAD", "POST"],
  allowedHosts: settings.allowedHosts === "any" ? "any" : [...settings.allowedHosts, settings.host.toLowerCase()],
  allowedOrigins: [],
  maxBodyBytes: settings.maxBodyBytes,
  rateLimit: settings.addressRateLimit
})

const readAll = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.once("error", reject)
  })

const send = (req: IncomingMessage, res: ServerResponse, response: IntakeResponse) => {
  const body = JSON.stringify(response.body)
  res.writeHead(response.status, {
    ...response.headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body)
  })
  res.end(req.method === "HEAD" ? undefined : body)
}

/**
 * Serves `handle` on `settings.host:settings.port` for the lifetime of the scope; returns the
 * bound port. Each answer is reported to `metrics`.
 */
export const serveIntakeHttp = (
  settings: Pick<IntakeSettings, "allowedHosts" | "host" | "port" | "maxBodyBytes" | "addressRateLimit">,
  handle: (request: IntakeRequest) => Effect.Effect<IntakeResponse>,
  metrics: IntakeMetrics = noopIntakeMetrics
): Effect.Effect<number, HttpListenError, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const run = Effect.runPromiseWith(context)
    return yield* Effect.acquireRelease(
      Effect.callback<ReturnType<typeof createProtectedServer>, HttpListenError>((resume) => {
        const onRequest = (req: IncomingMessage, res: ServerResponse) => {
          const started = performance.now()
          const path = (req.url ?? "/").split("?")[0] ?? "/"
          const answered = (response: IntakeResponse) => {
            send(req, res, response)
            metrics.request(intakeRouteOf(req.method ?? "GET", path), response.status, (performance.now() - started) / 1000)
          }
          readAll(req)
            .then((body) =>
              run(handle({
                method: req.method ?? "GET",
                path,
                header: (name) => {
                  const value = req.headers[name.toLowerCase()]
                  return Array.isArray(value) ? value[0] : value
                },
                body
              }))
            )
            .then(
              answered,
              () => answered({ status: 500, body: { error: "internal_error", message: "the request failed" } })
            )
        }
        const server = createProtectedServer(intakeProtection(settings), onRequest)
        server.once("error", (error) =>
          resume(Effect.fail(listenError("the intake HTTP API", { host: "INTAKE_HTTP_HOST", port: "INTAKE_HTTP_PORT" }, settings, error))))
        server.listen(settings.port, settings.host, () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    ).pipe(Effect.map((server) => (server.address() as AddressInfo).port))
  })

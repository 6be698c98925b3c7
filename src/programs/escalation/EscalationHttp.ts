/**
 * The escalation tickets over HTTP (effect's `HttpApi`): read tickets with their audit trail,
 * add notes and change statuses, the OpenAPI document at `/openapi.json`, and the review page
 * at `/` and `/review` (plain HTML, a little vanilla JS calling this API, no external assets).
 *
 * Every error answers with a JSON body `{error, message}`: 400 `bad_request` (malformed body,
 * query or path), 404 `not_found` (unknown ticket or route), 409 `invalid_transition`, 500
 * `internal_error`. Before a request gets here, `services/http/Protection.ts` checks it (body
 * and header limits, UTF-8, Host allow-list, CSRF, rate per client) and answers 4xx JSON of the
 * same shape. There is no authentication: run it on an internal network or behind an
 * authenticating proxy.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Predicate, Schema } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiError, HttpApiGroup, OpenApi } from "effect/http-api"
import { NetAddress } from "effect/net"
import { readFileSync } from "node:fs"
import {
  AuditEntry,
  Department,
  EscalationTicket,
  StatusTransitions,
  TicketStatus,
  TicketUpdateRequest
} from "../../domain/Escalation.ts"
import {
  allowedHostsConfig,
  allowedOriginsConfig,
  createProtectedServer,
  defaultProtectionPolicy,
  type HttpProtectionPolicy,
  listenError,
  maxBodyBytesConfig,
  type RateLimit,
  rateLimitConfig
} from "../../services/http/Protection.ts"
import { TicketStore } from "../../services/tickets/TicketStore.ts"

// ---------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------

/** 400: the request is malformed (the message says what). */
export class ApiBadRequest extends Schema.Error<ApiBadRequest>("ApiBadRequest")({
  error: Schema.tag("bad_request"),
  message: Schema.String
}, { httpApiStatus: 400, description: "The request is malformed" }) {}

/** 404: no ticket has that id. */
export class ApiNotFound extends Schema.Error<ApiNotFound>("ApiNotFound")({
  error: Schema.tag("not_found"),
  message: Schema.String
}, { httpApiStatus: 404, description: "No such ticket" }) {}

/** 409: the change conflicts with the ticket's state (e.g. a status transition it does not allow). */
export class ApiConflict extends Schema.Error<ApiConflict>("ApiConflict")({
  error: Schema.tag("invalid_transition"),
  message: Schema.String
}, { httpApiStatus: 409, description: "The status change is not allowed from the ticket's current status" }) {}

/** 500: the store failed. */
export class ApiInternal extends Schema.Error<ApiInternal>("ApiInternal")({
  error: Schema.tag("internal_error"),
  message: Schema.String
}, { httpApiStatus: 500, description: "The ticket store failed" }) {}

export const TicketDetail = Schema.Struct({
  ...EscalationTicket.fields,
  last_update: Schema.String.annotate({ description: "ISO 8601 timestamp of the last change (same as updated_at)" }),
  allowed_statuses: Schema.Array(TicketStatus).annotate({ description: "The statuses the ticket may move to next" }),
  audit: Schema.Array(AuditEntry)
}).annotate({ identifier: "TicketDetail" })
export type TicketDetail = typeof TicketDetail.Type

export const TicketList = Schema.Struct({ tickets: Schema.Array(EscalationTicket) }).annotate({ identifier: "TicketList" })

const Limit = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))

/** The tickets group of the HTTP API: list, read and update tracked tickets. */
export class TicketsApi extends HttpApiGroup.make("tickets").add(
  HttpApiEndpoint.get("list", "/tickets", {
    query: {
      status: Schema.optional(TicketStatus),
      department: Schema.optional(Department),
      customer_id: Schema.optional(Schema.String),
      limit: Schema.optional(Limit)
    },
    success: TicketList,
    error: [ApiBadRequest, ApiInternal]
  }),
  HttpApiEndpoint.get("get", "/tickets/:id", {
    params: { id: Schema.String },
    success: TicketDetail,
    error: [ApiNotFound, ApiInternal]
  }),
  HttpApiEndpoint.post("addUpdate", "/tickets/:id/updates", {
    params: { id: Schema.String },
    payload: TicketUpdateRequest,
    success: TicketDetail,
    error: [ApiBadRequest, ApiNotFound, ApiConflict, ApiInternal]
  })
).annotateMerge(OpenApi.annotations({
  title: "Tickets",
  description:
    "Escalation tickets: list, read with the audit trail, add a note or change the status (open → in_progress → resolved → closed; resolved or closed → open)."
})) {}

/** The escalation agent's HTTP API (tickets: list, read, update), with its OpenAPI description. */
export class EscalationApi extends HttpApi.make("escalation").add(TicketsApi).annotateMerge(OpenApi.annotations({
  title: "support-agents escalation tickets",
  version: "0.1.0"
})) {}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

/** The `actor` recorded for a change made through the API. */
export const reviewerActor = (name: string | undefined): string =>
  name === undefined || name.trim() === "" ? "reviewer" : `reviewer:${name.trim().slice(0, 100)}`

const internal = (error: { readonly message: string }) =>
  Effect.logError("ticket store failed", error.message).pipe(
    Effect.andThen(Effect.fail(new ApiInternal({ message: "the ticket store failed; try again" })))
  )

const TicketsHandlers = HttpApiBuilder.group(
  EscalationApi,
  "tickets",
  Effect.fn(function*(handlers) {
    const store = yield* TicketStore

    const detail = (id: string) =>
      Effect.gen(function*() {
        const found = yield* store.get(id)
        if (Option.isNone(found)) return yield* new ApiNotFound({ message: `no ticket ${id}` })
        const audit = yield* store.audit(id)
        const ticket = found.value
        return {
          ...ticket,
          last_update: ticket.updated_at,
          allowed_statuses: StatusTransitions[ticket.status],
          audit
        } satisfies TicketDetail
      }).pipe(Effect.catchTag("TicketStoreError", internal))

    return handlers.handleAll({
      list: ({ query }) =>
        store.list(query).pipe(
          Effect.map((tickets) => ({ tickets })),
          Effect.catchTag("TicketStoreError", internal)
        ),
      get: ({ params }) => detail(params.id),
      addUpdate: ({ params, payload }) =>
        Effect.gen(function*() {
          if (payload.note === undefined && payload.status === undefined) {
            return yield* new ApiBadRequest({ message: "give a note, a status, or both" })
          }
          if (payload.note !== undefined && payload.note.trim() === "") {
            return yield* new ApiBadRequest({ message: "the note is empty" })
          }
          yield* store.update(params.id, {
            actor: reviewerActor(payload.actor),
            note: payload.note?.trim(),
            status: payload.status
          }).pipe(
            Effect.catchTags({
              TicketNotFound: () => Effect.fail(new ApiNotFound({ message: `no ticket ${params.id}` })),
              InvalidTransition: (e) =>
                Effect.fail(
                  new ApiConflict({
                    message: `${e.ticket_id} is ${e.from}: it cannot move to ${e.to} (allowed: ${
                      StatusTransitions[e.from].join(", ")
                    })`
                  })
                ),
              TicketStoreError: internal
            })
          )
          return yield* detail(params.id)
        })
    })
  })
)

// ---------------------------------------------------------------------------
// JSON errors for what the API itself rejects (bad bodies, unknown routes)
// ---------------------------------------------------------------------------

const jsonError = (status: number, error: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ error, message }, { status })

/**
 * The HTTP layer answers a request it cannot decode, and a route it does not know, with an
 * empty body; this turns those into `{error, message}` JSON. Anything else passes unchanged.
 */
const JsonErrors = HttpRouter.middleware((effect) =>
  Effect.catchCause(effect, (cause) => {
    for (const reason of cause.reasons) {
      const failure = reason._tag === "Die" ? reason.defect : reason._tag === "Fail" ? reason.error : undefined
      if (HttpApiError.HttpApiSchemaError.is(failure) && failure.kind !== "Body" && failure.kind !== "ResponseHeaders") {
        const detail = failure.cause.message.replace(/\s+/g, " ").trim().slice(0, 500)
        return Effect.succeed(jsonError(400, "bad_request", `invalid ${failure.kind.toLowerCase()}: ${detail}`))
      }
      if (HttpApiError.HttpApiPayloadTooLarge.is(failure)) {
        return Effect.succeed(jsonError(413, "payload_too_large", "the request body is too large"))
      }
      if (Predicate.hasProperty(failure, "reason") && Predicate.hasProperty(failure.reason, "_tag")) {
        if (failure.reason._tag === "RouteNotFound") {
          return Effect.succeed(jsonError(404, "not_found", "no such route"))
        }
        if (failure.reason._tag === "RequestParseError") {
          return Effect.succeed(jsonError(400, "bad_request", "the request could not be read"))
        }
      }
    }
    return Effect.failCause(cause)
  }), { global: true })

// ---------------------------------------------------------------------------
// The review page
// ---------------------------------------------------------------------------

const asset = (name: string): string => readFileSync(new URL(`./page/${name}`, import.meta.url), "utf8")

/** The page's own CSP; every other security header comes from the protection (on every response). */
const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}

const PageRoutes = Layer.unwrap(Effect.sync(() => {
  const html = asset("index.html")
  const script = asset("review.js")
  const style = asset("review.css")
  const page = HttpServerResponse.text(html, { contentType: "text/html; charset=utf-8", headers: securityHeaders })
  return Layer.mergeAll(
    HttpRouter.add("GET", "/", page),
    HttpRouter.add("GET", "/review", page),
    HttpRouter.add(
      "GET",
      "/review/review.js",
      HttpServerResponse.text(script, { contentType: "text/javascript; charset=utf-8", headers: securityHeaders })
    ),
    HttpRouter.add(
      "GET",
      "/review/review.css",
      HttpServerResponse.text(style, { contentType: "text/css; charset=utf-8", headers: securityHeaders })
    )
  )
}))

/** `/healthz` (the process answers) and `/readyz` (the store answers). */
const HealthRoutes = Layer.mergeAll(
  HttpRouter.add("GET", "/healthz", HttpServerResponse.jsonUnsafe({ status: "ok" })),
  HttpRouter.add(
    "GET",
    "/readyz",
    Effect.gen(function*() {
      const store = yield* TicketStore
      return yield* store.schemaVersion
    }).pipe(
      Effect.map((version) => HttpServerResponse.jsonUnsafe({ status: "ready", schema_version: version })),
      Effect.catch((error) => Effect.succeed(jsonError(503, "not_ready", error.message)))
    )
  )
)

/** Every route: the API with its OpenAPI document, the review page, health, JSON errors. */
export const escalationRoutes = Layer.mergeAll(
  HttpApiBuilder.layer(EscalationApi, { openapiPath: "/openapi.json" }).pipe(Layer.provide(TicketsHandlers)),
  PageRoutes,
  HealthRoutes,
  JsonErrors
)

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/** Where the escalation agent's HTTP API listens. */
export interface EscalationHttpSettings {
  /** `ESCALATION_HTTP_HOST`, default `0.0.0.0` (all interfaces, for Kubernetes). */
  readonly host: string
  /** `ESCALATION_HTTP_PORT`, default 8094 (0 picks a free port). */
  readonly port: number
  /**
   * `ESCALATION_HTTP_ALLOWED_HOSTS`: the names a request's `Host` may give besides `localhost`,
   * IP literals and a named bind host (comma-separated, `.example.com` for every name under it,
   * `*` for any). Default: none.
   */
  readonly allowedHosts?: ReadonlyArray<string> | "any"
  /** `ESCALATION_HTTP_ALLOWED_ORIGINS`: other origins allowed to change tickets. Default: none. */
  readonly allowedOrigins?: ReadonlyArray<string>
  /** `ESCALATION_HTTP_MAX_BODY_BYTES`, default 65536. */
  readonly maxBodyBytes?: number
  /** `ESCALATION_HTTP_RATE_LIMIT_PER_SECOND` / `_BURST` per client address, default 200 / 4000. */
  readonly rateLimit?: RateLimit
}

/** The HTTP API's defaults: 0.0.0.0:8094, the built-in Host and Origin lists, a 64 KiB body, 200 requests/s per client (bursts of 4000). */
export const escalationHttpDefaults = {
  host: "0.0.0.0",
  port: 8094,
  allowedHosts: [],
  allowedOrigins: [],
  maxBodyBytes: defaultProtectionPolicy.maxBodyBytes,
  rateLimit: { perSecond: 200, burst: 4000 }
} satisfies Required<EscalationHttpSettings>

/** The HTTP server's settings from `ESCALATION_HTTP_*` (address, allowed Hosts and Origins, body limit, rate limit). */
export const EscalationHttpConfig: Config.Config<Required<EscalationHttpSettings>> = Config.all({
  host: Config.String("ESCALATION_HTTP_HOST").pipe(Config.withDefault(escalationHttpDefaults.host)),
  port: Config.schema(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })), "ESCALATION_HTTP_PORT").pipe(
    Config.withDefault(escalationHttpDefaults.port)
  ),
  allowedHosts: allowedHostsConfig("ESCALATION_HTTP_ALLOWED_HOSTS", escalationHttpDefaults.allowedHosts),
  allowedOrigins: allowedOriginsConfig("ESCALATION_HTTP_ALLOWED_ORIGINS"),
  maxBodyBytes: maxBodyBytesConfig("ESCALATION_HTTP", escalationHttpDefaults.maxBodyBytes),
  rateLimit: rateLimitConfig("ESCALATION_HTTP", escalationHttpDefaults.rateLimit)
})

/** The protection of the escalation server: GET, HEAD and POST; the bind host is allowed as a Host. */
export const escalationProtection = (settings: EscalationHttpSettings): HttpProtectionPolicy => {
  const hosts = settings.allowedHosts ?? escalationHttpDefaults.allowedHosts
  return {
    ...defaultProtectionPolicy,
    methods: ["GET", "HEAD", "POST"],
    allowedHosts: hosts === "any" ? "any" : [...hosts, settings.host.toLowerCase()],
    allowedOrigins: settings.allowedOrigins ?? escalationHttpDefaults.allowedOrigins,
    maxBodyBytes: settings.maxBodyBytes ?? escalationHttpDefaults.maxBodyBytes,
    rateLimit: settings.rateLimit ?? escalationHttpDefaults.rateLimit
  }
}

/**
 * The HTTP server on `settings.host:settings.port`, running while the layer lives. It also
 * provides the `HttpServer` (whose `address` says where it listens, for port 0). A port in use
 * or a bad bind fails with `HttpListenError`, naming the variables and the address.
 */
export const layerEscalationHttp = (settings: EscalationHttpSettings) =>
  HttpRouter.serve(escalationRoutes).pipe(
    Layer.provideMerge(
      Layer.effectContext(
        Layer.build(
          NodeHttpServer.layer(() => createProtectedServer(escalationProtection(settings)), {
            host: settings.host,
            port: settings.port
          })
        ).pipe(
          Effect.catchTag("ServeError", (error) =>
            Effect.fail(
              listenError(
                "the escalation HTTP API",
                { host: "ESCALATION_HTTP_HOST", port: "ESCALATION_HTTP_PORT" },
                settings,
                error.cause
              )
            ))
        )
      )
    )
  )

/** The server listens on a unix socket, which has no URL (the escalation server never does: a defect). */
export class UnixSocketServer extends Schema.TaggedError<UnixSocketServer>()("UnixSocketServer", { path: Schema.String }) {
  override get message(): string {
    return `the server listens on a unix socket (${this.path})`
  }
}

/** The base URL of the running server (`http://127.0.0.1:<port>`). */
export const serverUrl: Effect.Effect<string, never, HttpServer.HttpServer> = Effect.gen(function*() {
  const { address } = yield* HttpServer.HttpServer
  if (NetAddress.isUnixPathAddress(address)) return yield* Effect.die(new UnixSocketServer({ path: address.path }))
  const url = yield* Effect.fromResult(NetAddress.toUrl(address)).pipe(Effect.orDie)
  if (NetAddress.isUnspecified(address.address)) url.hostname = NetAddress.formatIp(NetAddress.ipv4Loopback)
  return url.origin
})

/** The OpenAPI document of the API (what `/openapi.json` serves). */
export const escalationOpenApi = (): OpenApi.OpenAPISpec => OpenApi.fromApi(EscalationApi)


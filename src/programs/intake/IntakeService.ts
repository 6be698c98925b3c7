/**
 * The intake service (`support-agents intake`): the HTTP API of `IntakeHandler.ts` on
 * `INTAKE_HTTP_HOST:INTAKE_HTTP_PORT`, writing to `ticket.events`, and the projection of the
 * topics that answers where each ticket is, kept up to date by a consumer of its own; its
 * metrics (`IntakeMetrics.ts`) in the registry served on `METRICS_PORT`. Runs
 * until interrupted; fails when its keys are unusable, its topics are missing, its port cannot
 * be bound, or its consumer fails for good.
 */
import { Effect, Fiber } from "effect"
import { Topics } from "../../domain/Topics.ts"
import { ClientRateLimiter } from "../../services/http/Protection.ts"
import { Kafka } from "../../services/kafka/Kafka.ts"
import { MetricsRegistry } from "../../services/observability/MetricsRegistry.ts"
import { checkTopics } from "../../streams/AgentTopics.ts"
import { loadApiKeys } from "./ApiKeys.ts"
import { makeIdempotencyStore } from "./IdempotencyStore.ts"
import { makeIntakeHandler } from "./IntakeHandler.ts"
import { serveIntakeHttp } from "./IntakeHttp.ts"
import { makeIntakeMetrics } from "./IntakeMetrics.ts"
import { intakeOpenApi } from "./IntakeOpenApi.ts"
import { followTopics, IntakeProjection, projectionTopics } from "./IntakeProjection.ts"
import type { IntakeSettings } from "./IntakeSettings.ts"

/** Runs the intake service with `settings` until interrupted. */
export const runIntakeService = (settings: IntakeSettings) =>
  Effect.scoped(Effect.gen(function*() {
    const clients = yield* loadApiKeys(settings.apiKeys)
    const kafka = yield* Kafka
    yield* checkTopics(kafka, { name: "intake", topics: [], outputs: [Topics.events, ...projectionTopics] })
    const projection = new IntakeProjection(settings.projectionMaxTickets)
    const metrics = makeIntakeMetrics(yield* MetricsRegistry, projection)
    const follower = yield* Effect.forkScoped(followTopics(projection, settings.groupId))
    const handle = yield* makeIntakeHandler({
      clients,
      projection,
      store: makeIdempotencyStore({ ttlMs: settings.idempotencyTtlMs, maxEntries: settings.idempotencyMaxEntries }),
      keyLimiter: new ClientRateLimiter(settings.keyRateLimit),
      produceTimeoutMs: settings.produceTimeoutMs,
      maxPendingWrites: settings.maxPendingWrites,
      openApi: intakeOpenApi(),
      metrics
    })
    const port = yield* serveIntakeHttp(settings, handle, metrics)
    yield* Effect.logInfo("intake HTTP API listening").pipe(
      Effect.annotateLogs({ host: settings.host, port, clients: clients.map((c) => c.name).join(","), topic: Topics.events })
    )
    yield* Fiber.join(follower)
  }))

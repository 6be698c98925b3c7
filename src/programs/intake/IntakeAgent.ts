/**
 * The intake service's manifest (`support-agents intake`): tickets enter over HTTP
 * (`POST /v1/tickets`, per-client API keys) and are written to `ticket.events`; clients follow
 * them with `GET /v1/tickets/{id}`, answered from a projection of the topics;
 * `support-agents intake hash-key` gives a key's hash for `INTAKE_API_KEYS`. Its modules (the
 * HTTP server, the projection) are loaded when it is served, not by every agent process.
 * See docs/intake.md.
 */
import { Effect, Layer } from "effect"
import { TicketSubmission } from "../../domain/TicketSubmission.ts"
import { Topics } from "../../domain/Topics.ts"
import { defineAgentManifest } from "../AgentManifest.ts"
import { hashKeyCommand } from "./HashKeyCommand.ts"
import { projectionTopics } from "./IntakeProjection.ts"
import { IntakeConfig } from "./IntakeSettings.ts"

const loadService = Effect.promise(() => import("./IntakeService.ts"))

/** The intake service, as deployed. */
export const intakeManifest = defineAgentManifest({
  name: "intake",
  description: "Intake service: POST /v1/tickets (API keys) → ticket.events; GET /v1/tickets/{id} from a projection of the topics",
  inputTopics: projectionTopics,
  inputSchema: TicketSubmission,
  eventType: "ticket.created",
  outputTopics: [Topics.events],
  groupId: "intake",
  metricsPort: 9089,
  metrics: "none",
  deploy: { workload: "Deployment", autoscaled: false },
  layer: Layer.empty,
  commands: [hashKeyCommand],
  start: Effect.gen(function*() {
    const settings = yield* IntakeConfig
    yield* Effect.logInfo("starting intake service").pipe(
      Effect.annotateLogs({ http: `${settings.host}:${settings.port}`, group: settings.groupId })
    )
    return settings
  }),
  run: (settings) => Effect.flatMap(loadService, ({ runIntakeService }) => runIntakeService(settings))
})

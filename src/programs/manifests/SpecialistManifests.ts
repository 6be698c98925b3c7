/**
 * The specialists' manifests (`support-agents billing`, `technical`, `feature`, `account`,
 * `other`): one per built-in specialist, each replying to `ticket.triaged.<type>`.
 */
import { Effect } from "effect"
import { TicketTriaged } from "../../domain/Events.ts"
import { Topics } from "../../domain/Topics.ts"
import { groupIdConfig } from "../../services/config/AppConfig.ts"
import { runAgent } from "../../streams/AgentRuntime.ts"
import { type AgentDeployment, type AgentManifest, defineAgentManifest } from "../AgentManifest.ts"
import { AgentServices } from "../Environment.ts"
import {
  accountSpecialist,
  billingSpecialist,
  featureSpecialist,
  otherSpecialist,
  specialistAgent,
  type SpecialistSpec,
  technicalSpecialist
} from "../SpecialistAgent.ts"

/** A specialist's manifest: `spec`, its default `METRICS_PORT`, and its cluster port where that differs. */
export const specialistManifest = (
  spec: SpecialistSpec,
  metricsPort: number,
  deploy: Partial<AgentDeployment> = {}
): AgentManifest =>
  defineAgentManifest({
    name: spec.name,
    description: `${spec.name} specialist: reply to ticket.triaged.${spec.type}`,
    inputTopics: [Topics.triaged[spec.type]],
    inputSchema: TicketTriaged,
    eventType: "ticket.triaged",
    outputTopics: [Topics.resolved, Topics.human],
    groupId: spec.groupId,
    metricsPort,
    metrics: "resolver",
    deploy: { workload: "Deployment", autoscaled: true, ...deploy },
    layer: AgentServices,
    start: Effect.gen(function*() {
      const groupId = yield* groupIdConfig(spec.groupId)
      yield* Effect.logInfo(`starting ${spec.name} agent`).pipe(Effect.annotateLogs({ group: groupId }))
      return groupId
    }),
    run: (groupId, runtime) => runAgent(specialistAgent(spec, { groupId }), runtime)
  })

/**
 * The built-in specialists. Triage and billing keep the original system's ports (9090, 9091);
 * technical and feature do not: the original's 9092 and 9093 are the Kafka broker's and the
 * KRaft controller's ports of a local broker (`npm run kafka:start`), so with those defaults the
 * two agents could not start next to it. In Kubernetes each pod has its own network and they
 * keep 9092 and 9093.
 */
export const specialistManifests: ReadonlyArray<AgentManifest> = [
  specialistManifest(billingSpecialist, 9091),
  specialistManifest(technicalSpecialist, 9097, { metricsPort: 9092 }),
  specialistManifest(featureSpecialist, 9098, { metricsPort: 9093 }),
  specialistManifest(accountSpecialist, 9095),
  specialistManifest(otherSpecialist, 9096)
]

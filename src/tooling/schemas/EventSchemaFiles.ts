/**
 * The files of `events/` (`npm run gen:schemas`): one JSON Schema per event type, for the
 * domain's events (`EventSchemas`) and for those the registered agents declare as their own
 * (their manifests' `events`, e.g. the sentiment agent's `ticket.sentiment`).
 */
import { Effect, Schema } from "effect"
import { EventSchemas } from "../../domain/EventSchemas.ts"
import { type JsonSchemaDefinitionMissing, renderJsonSchemas } from "../../domain/JsonSchemas.ts"
import type { AgentManifestInfo } from "../../programs/AgentManifest.ts"
import { agentRegistry } from "../../programs/AgentRegistry.ts"

/** Two schemas for one event type: an agent declares an event of the domain's, or one another agent declares. */
export class EventTypeDeclaredTwice extends Schema.TaggedError<EventTypeDeclaredTwice>()("EventTypeDeclaredTwice", {
  eventType: Schema.String,
  agent: Schema.String,
  by: Schema.String
}) {
  override get message(): string {
    return `the agent ${this.agent} declares the event ${this.eventType}, which ${this.by} declares already`
  }
}

/** Every event type with its Schema: the domain's, then each agent's own, in registry order. */
export const eventSchemasOf = (
  agents: ReadonlyArray<Pick<AgentManifestInfo, "name" | "events">>
): Effect.Effect<Readonly<Record<string, Schema.Top>>, EventTypeDeclaredTwice> =>
  Effect.gen(function*() {
    const schemas: Record<string, Schema.Top> = { ...EventSchemas }
    const declaredBy = new Map<string, string>(Object.keys(EventSchemas).map((eventType) => [eventType, "the domain (EventSchemas)"]))
    for (const agent of agents) {
      for (const [eventType, schema] of Object.entries(agent.events ?? {})) {
        const by = declaredBy.get(eventType)
        if (by !== undefined) return yield* new EventTypeDeclaredTwice({ eventType, agent: agent.name, by })
        declaredBy.set(eventType, `the agent ${agent.name}`)
        schemas[eventType] = schema
      }
    }
    return schemas
  })

/** File name (`<event_type>.schema.json`) → file text, for every event type of the domain and the registered agents. */
export const eventSchemaFiles: Effect.Effect<Record<string, string>, EventTypeDeclaredTwice | JsonSchemaDefinitionMissing> =
  Effect.flatMap(eventSchemasOf(agentRegistry), renderJsonSchemas)

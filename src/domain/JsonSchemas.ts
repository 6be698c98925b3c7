/**
 * JSON Schemas (draft 2020-12) of the events, generated from the Effect Schemas: the files in
 * `events/` are this module's output and are never edited by hand.
 */
import { Effect, Schema } from "effect"
import { EventSchemas } from "./EventSchemas.ts"

/** The Schema of `eventType` has no definition of that name (its `identifier` annotation is not the event type). */
export class JsonSchemaDefinitionMissing extends Schema.TaggedError<JsonSchemaDefinitionMissing>()("JsonSchemaDefinitionMissing", {
  eventType: Schema.String
}) {
  override get message(): string {
    return `no JSON Schema definition for ${this.eventType} (its Schema's identifier must be the event type)`
  }
}

/**
 * One standalone JSON Schema document of the event `eventType`, from its Schema (whose
 * `identifier` annotation must be the event type).
 */
export const jsonSchemaOf = (
  eventType: string,
  schema: Schema.Top
): Effect.Effect<Record<string, unknown>, JsonSchemaDefinitionMissing> =>
  Effect.suspend(() => {
    const document = Schema.toJsonSchemaDocument(schema)
    const definitions = document.definitions as Record<string, Record<string, unknown>>
    const definition = definitions[eventType]
    if (definition === undefined) return Effect.fail(new JsonSchemaDefinitionMissing({ eventType }))
    return Effect.succeed({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `urn:support-agents:events:${eventType}`,
      ...definition
    })
  })

/** One standalone JSON Schema document per event type of the domain. */
export const eventJsonSchema = (eventType: keyof typeof EventSchemas) => jsonSchemaOf(eventType, EventSchemas[eventType])

/** File name (`<event_type>.schema.json`) → file text, for every event type of `schemas`. */
export const renderJsonSchemas = (
  schemas: Readonly<Record<string, Schema.Top>>
): Effect.Effect<Record<string, string>, JsonSchemaDefinitionMissing> =>
  Effect.map(
    Effect.forEach(Object.entries(schemas), ([eventType, schema]) =>
      Effect.map(jsonSchemaOf(eventType, schema), (document) => [
        `${eventType}.schema.json`,
        `${JSON.stringify(document, null, 2)}\n`
      ] as const)),
    (files) => Object.fromEntries(files)
  )

/** File name → file text, for every event type of the domain (`EventSchemas`). */
export const renderEventSchemas = (): Effect.Effect<Record<string, string>, JsonSchemaDefinitionMissing> =>
  renderJsonSchemas(EventSchemas)

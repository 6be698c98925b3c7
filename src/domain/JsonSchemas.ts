/**
 * JSON Schemas (draft 2020-12) of the events, generated from the Effect Schemas: the files in
 * `events/` are this function's output and are never edited by hand.
 */
import { Schema } from "effect"
import { EventSchemas } from "./EventSchemas.ts"

/** One standalone JSON Schema document per event type. */
export const eventJsonSchema = (eventType: keyof typeof EventSchemas): Record<string, unknown> => {
  const document = Schema.toJsonSchemaDocument(EventSchemas[eventType])
  const definitions = document.definitions as Record<string, Record<string, unknown>>
  const definition = definitions[eventType]
  if (definition === undefined) throw new Error(`no JSON Schema definition for ${eventType}`)
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:support-agents:events:${eventType}`,
    ...definition
  }
}

/** File name → file text, for every event type. */
export const renderEventSchemas = (): Record<string, string> =>
  Object.fromEntries(
    (Object.keys(EventSchemas) as Array<keyof typeof EventSchemas>).map((eventType) => [
      `${eventType}.schema.json`,
      `${JSON.stringify(eventJsonSchema(eventType), null, 2)}\n`
    ])
  )

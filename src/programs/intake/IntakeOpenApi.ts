/**
 * The OpenAPI 3.1 document of the intake API, served at `GET /v1/openapi.json` and committed as
 * `docs/intake.openapi.json` by `npm run gen:schemas` (a test checks that they agree and that the
 * examples validate).
 * The request body's schema is generated from `TicketSubmission`; the answers are described here.
 */
import { Schema } from "effect"
import { TicketStages } from "./IntakeProjection.ts"
import { TicketSubmission } from "../../domain/TicketSubmission.ts"

const submissionSchema = (): Record<string, unknown> => {
  const document = Schema.toJsonSchemaDocument(TicketSubmission)
  return (document.definitions as Record<string, Record<string, unknown>>)["TicketSubmission"] ?? {}
}

const errorSchema = {
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" } }
}

const errorResponse = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers === undefined ? {} : { headers }),
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } }
})

const retryAfter = { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer" } } }

/** An example ticket, as a client submits it. */
export const exampleSubmission = {
  ticket_id: "web-2026-000123",
  customer_id: "cust-42",
  subject: "Charged twice this month",
  body: "My card was charged twice for the November invoice.",
  channel: "portal",
  metadata: { product_area: "billing" }
}

/** An example of `GET /v1/tickets/{id}` for a ticket with people. */
export const exampleStatus = {
  ticket_id: "web-2026-000123",
  status: "with_people",
  received_at: "2026-11-21T10:00:00.000Z",
  triage: { type: "billing", priority: "high", confidence: 0.42, triaged_at: "2026-11-21T10:00:02.000Z" },
  people: {
    escalation_ticket_id: "TK-000017",
    status: "open",
    department: "Billing",
    priority: "high",
    escalated_at: "2026-11-21T10:00:05.000Z"
  },
  updated_at: "2026-11-21T10:00:05.000Z"
}

/** The document. */
export const intakeOpenApi = (): Record<string, unknown> => ({
  openapi: "3.1.0",
  info: {
    title: "support-agents intake",
    version: "0.1.0",
    description:
      "Submit support tickets and follow them. Every request but this document's needs an API key (Authorization: Bearer <key>); each key has its own rate limit."
  },
  servers: [{ url: "/" }],
  security: [{ apiKey: [] }],
  paths: {
    "/v1/tickets": {
      post: {
        operationId: "submitTicket",
        summary: "Submit a ticket",
        description:
          "Validates the ticket (the fields of ticket.created; ticket_id and created_at are assigned when absent), writes it to ticket.events and answers 202 once Kafka has acknowledged the write. Idempotent on ticket_id or Idempotency-Key: a retry gets the same answer and writes nothing again.",
        parameters: [{
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Any string of 1 to 255 visible ASCII characters, unique per request of this client (e.g. a UUID)",
          schema: { type: "string", minLength: 1, maxLength: 255 }
        }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: { $ref: "#/components/schemas/TicketSubmission" },
              examples: { ticket: { value: exampleSubmission } }
            }
          }
        },
        responses: {
          "202": {
            description: "Accepted: the ticket is on ticket.events",
            headers: { Location: { description: "The ticket's status URL", schema: { type: "string" } } },
            content: {
              "application/json": {
                schema: { $ref: "#/components/schemas/Accepted" },
                examples: {
                  accepted: { value: { ticket_id: "web-2026-000123", status: "received", status_url: "/v1/tickets/web-2026-000123" } }
                }
              }
            }
          },
          "400": errorResponse("The body is not JSON, too deep, or not a valid ticket; or the Idempotency-Key is malformed"),
          "401": errorResponse("No API key, or a wrong one"),
          "409": errorResponse("The ticket_id is taken by another ticket"),
          "413": errorResponse("The body is larger than the limit"),
          "415": errorResponse("The body is not sent as application/json"),
          "422": errorResponse("The Idempotency-Key was used for another request"),
          "429": errorResponse("Too many requests with this key (or from this address)", retryAfter),
          "503": errorResponse("Kafka did not acknowledge the write in time: nothing was accepted; retry", retryAfter)
        }
      }
    },
    "/v1/tickets/{id}": {
      get: {
        operationId: "getTicket",
        summary: "Where a ticket is",
        description:
          "received, triaged (with its type), with_people (with the people's ticket: its TK- id and status), or resolved (with the reply). Only the client that submitted the ticket sees it.",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", maxLength: 128 } }],
        responses: {
          "200": {
            description: "The ticket",
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/TicketStatus" }, examples: { with_people: { value: exampleStatus } } }
            }
          },
          "401": errorResponse("No API key, or a wrong one"),
          "404": errorResponse("No ticket of this client has that id"),
          "429": errorResponse("Too many requests with this key (or from this address)", retryAfter)
        }
      }
    },
    "/v1/openapi.json": {
      get: {
        operationId: "openApi",
        summary: "This document",
        security: [],
        responses: { "200": { description: "The OpenAPI document", content: { "application/json": { schema: { type: "object" } } } } }
      }
    }
  },
  components: {
    securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "The client's API key" } },
    schemas: {
      TicketSubmission: submissionSchema(),
      Accepted: {
        type: "object",
        required: ["ticket_id", "status", "status_url"],
        properties: {
          ticket_id: { type: "string" },
          status: { type: "string", enum: ["received"] },
          status_url: { type: "string", description: "GET it for where the ticket is" }
        }
      },
      TicketStatus: {
        type: "object",
        required: ["ticket_id", "status", "updated_at"],
        properties: {
          ticket_id: { type: "string" },
          status: { type: "string", enum: [...TicketStages] },
          received_at: { type: "string", format: "date-time" },
          triage: {
            type: "object",
            required: ["type", "priority", "triaged_at"],
            properties: {
              type: { type: "string" },
              priority: { type: "string" },
              confidence: { type: "number" },
              triaged_at: { type: "string", format: "date-time" }
            }
          },
          people: {
            type: "object",
            required: ["escalation_ticket_id", "status", "department", "priority", "escalated_at"],
            properties: {
              escalation_ticket_id: { type: "string", pattern: "^TK-\\d+$" },
              status: { type: "string", description: "The people's ticket's status when it was escalated" },
              department: { type: "string" },
              priority: { type: "string" },
              escalated_at: { type: "string", format: "date-time" }
            }
          },
          resolution: {
            type: "object",
            required: ["resolved_by", "resolved_at", "response"],
            properties: { resolved_by: { type: "string" }, resolved_at: { type: "string", format: "date-time" }, response: { type: "string" } }
          },
          updated_at: { type: "string", format: "date-time" }
        }
      },
      Error: errorSchema
    }
  }
})

/** The document as committed in `docs/intake.openapi.json` (`npm run gen:schemas` writes it). */
export const intakeOpenApiText = (): string => `${JSON.stringify(intakeOpenApi(), null, 2)}\n`

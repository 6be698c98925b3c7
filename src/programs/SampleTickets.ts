/**
 * The embedded demo's sample tickets: every route (each type, the human queue for unknown and
 * ambiguous tickets, a guardrail block) and one malformed event for the dead-letter topic.
 */
const ticket = (
  id: string,
  customer: string,
  channel: "email" | "chat" | "portal" | "phone",
  subject: string,
  body: string
) =>
  JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: customer,
    subject,
    body,
    created_at: "2026-11-21T09:00:00Z",
    channel
  })

export const sampleTickets: ReadonlyArray<string> = [
  ticket("demo-001", "e2e-cust", "portal", "Billing question", "Why was I charged twice? Please help."),
  ticket("demo-002", "test-customer", "email", "Login page shows a 500 error", "Since this morning I get a 500 error when I sign in from Chrome and Safari."),
  ticket("demo-003", "int-cust", "portal", "Feature request: dark mode", "It would be great to have a dark mode option in the dashboard."),
  ticket("demo-004", "test-customer", "chat", "Account locked", "My account is locked after too many attempts. How do I unlock it?"),
  ticket("demo-005", "walk-in", "phone", "Business hours", "When are your business hours over the holidays?"),
  ticket("demo-006", "int-cust", "email", "Invoice missing VAT number", "Our last invoice does not show our VAT number; we need a corrected invoice."),
  ticket("demo-007", "e2e-cust", "chat", "Hello?", "Can somebody get back to me about the thing we discussed?"),
  ticket("demo-008", "test-customer", "portal", "Refund after the app crash", "The app crash deleted my work, I want a refund."),
  ticket("demo-009", "walk-in", "email", "Upgrade question", "Before I pay for the upgrade, confirm in writing that I get a 100% refund if I cancel."),
  ticket("demo-010", "test-customer", "portal", "Sync API timeout", "The sync API fails with a timeout for large projects."),
  "{\"event_type\": \"ticket.created\", \"ticket_id\": \"demo-011\", \"subject\": \"truncated event"
]

/**
 * The quota benchmark's backlog: N `ticket.created` events (the shape of the demo's samples),
 * varied subjects and bodies over every type, distinct ids, seed customers, and nothing the
 * guardrails block (no personal data, no request for a promise).
 */

const customers = ["e2e-cust", "test-customer", "int-cust", "walk-in"] as const
const channels = ["email", "chat", "portal", "phone"] as const

const templates: ReadonlyArray<readonly [string, string]> = [
  ["Charged twice this month", "My subscription payment was charged twice this month. Could you look into the duplicate charge?"],
  ["Invoice missing company name", "Our last invoice does not show our company name; we need a corrected invoice for our records."],
  ["Question about the annual price", "What is the price difference between the monthly and the annual subscription?"],
  ["Dashboard shows an error", "Since this morning the dashboard shows an error when I open the reports page in Chrome."],
  ["Sync keeps failing", "The sync with our project tool fails with a timeout for large projects. It worked last week."],
  ["App crash on export", "The desktop app crashes every time I export a report to PDF. Is this a known bug?"],
  ["Feature request: dark mode", "It would be great to have a dark mode option in the dashboard for late shifts."],
  ["Suggestion for the calendar view", "Please add support for a weekly calendar view; our team would love that feature."],
  ["Account locked after update", "My account is locked after the update and the password reset link does not arrive."],
  ["Two-factor setup", "How do I set up two-factor authentication for my account profile?"],
  ["Business hours over the holidays", "When is your support team available over the holidays?"],
  ["Partnership inquiry", "We run a small agency and wonder whether you work with partners in our region."]
]

/** `count` tickets, one JSON line each, ids `${prefix}-000001`…. */
export const backlog = (count: number, prefix: string): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, i) => {
    const [subject, body] = templates[i % templates.length]!
    return JSON.stringify({
      event_type: "ticket.created",
      ticket_id: `${prefix}-${String(i + 1).padStart(6, "0")}`,
      customer_id: customers[i % customers.length],
      subject,
      body,
      created_at: new Date(Date.UTC(2026, 11, 1, 9, 0, i % 60)).toISOString(),
      channel: channels[i % channels.length]
    })
  })

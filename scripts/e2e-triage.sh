#!/usr/bin/env bash
# End-to-end check of the triage agent on a real broker (the original system's triage check):
# produces with kcat the ticket
#   {"event_type":"ticket.created","ticket_id":"e2e-<epoch>","customer_id":"e2e-cust",
#    "trace_id":"e2e-trace-<epoch>","subject":"Billing question",
#    "body":"Why was I charged twice? Please help.","created_at":"<UTC>","channel":"portal"}
# to ticket.events (keyed by its id), with the triage agent running from this repository as its
# own process with the mock LLM, and expects a ticket.triaged for that id on
# ticket.triaged.billing (consumed with kcat). Prints PASS or FAIL (with the agent's log) and
# exits 0 or 1; the agent is stopped (SIGTERM) in every case.
#
#   bash scripts/e2e-triage.sh
#
# Needs node >= 22.19 (scripts/node24.sh provides it), kcat and a broker at
# KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092; `npm run kafka:start`). Other settings:
# scripts/e2e-lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"

e2e_init e2e-triage
e2e_start_agent triage ticket.events
e2e_wait_ready triage

epoch="$(date +%s)"
id="e2e-$epoch"
[ -z "${E2E_TICKET_ID:-}" ] || id="$E2E_TICKET_ID"
since="$(( $(e2e_now_ms) - 1000 ))"
e2e_produce ticket.events "$id" "$(e2e_ticket "$id" "e2e-trace-$epoch")"
e2e_log "produced ticket.created $id to ticket.events; waiting up to ${E2E_TIMEOUT}s for it on ticket.triaged.billing"

if E2E_ID="$id" e2e_find ticket.triaged.billing "$id" "$since" \
  'e.event_type === "ticket.triaged" && e.ticket_id === process.env.E2E_ID && e.type === "billing"' >/dev/null; then
  e2e_wait_log triage "ticket triaged" "$id" '"route":"ticket.triaged.billing"' ||
    e2e_fail "ticket.triaged for ticket_id=$id is on ticket.triaged.billing, but the triage agent started here did not log routing it there"
  e2e_pass "Found ticket.triaged for ticket_id=$id"
else
  e2e_fail "no ticket.triaged for ticket_id=$id on ticket.triaged.billing within ${E2E_TIMEOUT}s"
fi

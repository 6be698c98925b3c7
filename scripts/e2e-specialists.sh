#!/usr/bin/env bash
# End-to-end check of a specialist on a real broker (the original system's specialists check):
# with the triage and billing agents running from this repository as their own processes with
# the mock LLM, produces with kcat the billing ticket "e2e-spec-<epoch>" (see e2e-triage.sh) to
# ticket.events and expects on ticket.resolved (consumed with kcat) a ticket.resolved for that
# id with resolved_by "billing" and a non-empty response. Prints PASS or FAIL (with the agents'
# logs) and exits 0 or 1; the agents are stopped (SIGTERM) in every case.
#
#   bash scripts/e2e-specialists.sh
#
# Needs node >= 22.19 (scripts/node24.sh provides it), kcat and a broker at
# KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092; `npm run kafka:start`). Other settings:
# scripts/e2e-lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"

e2e_init e2e-specialists
e2e_start_agent triage ticket.events
e2e_start_agent billing ticket.triaged.billing
e2e_wait_ready triage
e2e_wait_ready billing

epoch="$(date +%s)"
id="e2e-spec-$epoch"
[ -z "${E2E_TICKET_ID:-}" ] || id="$E2E_TICKET_ID"
since="$(( $(e2e_now_ms) - 1000 ))"
e2e_produce ticket.events "$id" "$(e2e_ticket "$id" "e2e-trace-$epoch")"
e2e_log "produced ticket.created $id to ticket.events; waiting up to ${E2E_TIMEOUT}s for ticket.resolved"

if E2E_ID="$id" e2e_find ticket.resolved "$id" "$since" \
  'e.event_type === "ticket.resolved" && e.ticket_id === process.env.E2E_ID && e.resolved_by === "billing" && typeof e.response === "string" && e.response.trim() !== ""' >/dev/null; then
  e2e_wait_log triage "ticket triaged" "$id" '"route":"ticket.triaged.billing"' ||
    e2e_fail "the triage agent started here did not log routing ticket_id=$id to ticket.triaged.billing"
  e2e_wait_log billing "ticket resolved" "$id" ||
    e2e_fail "ticket.resolved for ticket_id=$id is on ticket.resolved, but the billing agent started here did not log resolving it"
  e2e_pass "Found ticket.resolved for ticket_id=$id with resolved_by=billing"
else
  e2e_fail "no ticket.resolved with resolved_by=billing and a response for ticket_id=$id within ${E2E_TIMEOUT}s"
fi

# Shared functions of the end-to-end checks (scripts/e2e-triage.sh, scripts/e2e-specialists.sh).
# Source it; do not run it. The checks use kcat as the independent client (produce, consume) and
# run the agents from this repository as separate processes (`node bin/support-agents.js <agent>`)
# with the mock LLM, JSON logs at INFO and metrics on a free 127.0.0.1 port (`/readyz` says when
# an agent has joined its group); other settings come from the caller's environment. A check
# passes when the expected event is on Kafka AND the agent started here logged producing it:
# the topics are shared, and another consumer group's agent may process the same ticket.
#
# Environment (all optional):
#   KAFKA_BOOTSTRAP_SERVERS   broker (default 127.0.0.1:9092, the broker of `npm run kafka:start`)
#   E2E_GROUP_PREFIX          prefix of the agents' consumer groups (default e2e): each run uses
#                             new groups <prefix>-<agent>-<epoch>-<pid>, placed at the end of
#                             their topics before the agents start (so they neither read the
#                             topics' history nor disturb agents of other groups), deleted after
#   E2E_TIMEOUT               seconds to wait for the expected event (default 90)
#   E2E_READY_TIMEOUT         seconds to wait for an agent to join its group (default 60)
#   E2E_KEEP_LOGS             1: keep the agents' log directory (always printed on FAIL)
#   E2E_TICKET_ID             the ticket id to use (default e2e-<epoch> / e2e-spec-<epoch>)
#   KAFKA_SESSION_TIMEOUT_MS  default 6000 here (the broker's minimum)
#   KAFKA_HEARTBEAT_INTERVAL_MS default 1000 here
#   SHUTDOWN_TIMEOUT_MS       the agents' drain time on SIGTERM (default 10000)

E2E_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E_BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}"
E2E_GROUP_PREFIX="${E2E_GROUP_PREFIX:-e2e}"
E2E_TIMEOUT="${E2E_TIMEOUT:-90}"
E2E_READY_TIMEOUT="${E2E_READY_TIMEOUT:-60}"
E2E_NAME="${E2E_NAME:-e2e}"
E2E_LOG_DIR=""
E2E_AGENTS=()      # names of started agents
E2E_PIDS=()        # their pids, same order
E2E_GROUPS=()      # consumer groups created by this run (deleted at the end)
E2E_FINISHED=0     # 1 once PASS or FAIL was printed

e2e_log() { printf '[%s] %s\n' "$E2E_NAME" "$*" >&2; }

e2e_now_ms() { date +%s%3N; }

# Prints the agents' logs (the last lines of each).
e2e_show_logs() {
  local i name file
  for i in "${!E2E_AGENTS[@]}"; do
    name="${E2E_AGENTS[$i]}"
    file="$E2E_LOG_DIR/$name.log"
    [ -f "$file" ] || continue
    printf '\n----- %s agent log (%s, last 60 lines) -----\n' "$name" "$file" >&2
    tail -n 60 "$file" >&2 || true
  done
}

# FAIL: the reason, the agents' logs, exit 1 (the EXIT trap stops the agents).
e2e_fail() {
  E2E_FINISHED=1
  printf 'FAIL: %s\n' "$*"
  e2e_show_logs
  E2E_KEEP_LOGS=1
  exit 1
}

e2e_pass() {
  E2E_FINISHED=1
  printf 'PASS: %s\n' "$*"
}

# Stops every started agent: SIGTERM (they drain and commit), SIGKILL after 30 s.
e2e_stop_agents() {
  local i pid name deadline rc
  for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$(( $(date +%s) + 30 ))
  for i in "${!E2E_PIDS[@]}"; do
    pid="${E2E_PIDS[$i]}"
    name="${E2E_AGENTS[$i]}"
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      e2e_log "$name agent (pid $pid) did not stop within 30 s of SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    [ "$rc" -eq 0 ] || e2e_log "$name agent (pid $pid) exited with status $rc"
  done
  E2E_PIDS=()
}

e2e_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  e2e_stop_agents
  [ "${#E2E_GROUPS[@]}" -eq 0 ] || E2E_BOOTSTRAP="$E2E_BOOTSTRAP" e2e_kafka_admin delete-groups "${E2E_GROUPS[@]}" >/dev/null 2>&1 || true
  if [ "$E2E_FINISHED" -eq 0 ]; then
    printf 'FAIL: interrupted or failed before a result (status %s)\n' "$status"
    e2e_show_logs
    E2E_KEEP_LOGS=1
    [ "$status" -ne 0 ] || status=1
  fi
  if [ -n "$E2E_LOG_DIR" ] && [ -d "$E2E_LOG_DIR" ]; then
    if [ "${E2E_KEEP_LOGS:-0}" = "1" ]; then e2e_log "agent logs kept in $E2E_LOG_DIR"; else rm -rf "$E2E_LOG_DIR"; fi
  fi
  exit "$status"
}

# Checks the tools and the broker, creates the topics, installs the cleanup trap.
e2e_init() {
  E2E_NAME="$1"
  trap e2e_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  E2E_LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/support-agents-$E2E_NAME.XXXXXX")"
  if [ -f "$E2E_REPO_ROOT/scripts/node24.sh" ]; then
    # shellcheck source=/dev/null
    source "$E2E_REPO_ROOT/scripts/node24.sh" >&2 || e2e_fail "Node.js >= 22.19 is required (scripts/node24.sh)"
  fi
  command -v node >/dev/null 2>&1 || e2e_fail "node not found"
  command -v kcat >/dev/null 2>&1 || e2e_fail "kcat not found (bash scripts/install-kcat.sh)"
  kcat -L -b "$E2E_BOOTSTRAP" -m 10 -t __none__ >/dev/null 2>&1 ||
    e2e_fail "no Kafka broker answers at $E2E_BOOTSTRAP (npm run kafka:start starts one)"
  # The agents' topics (and their dead-letter topics) must exist before the agents subscribe.
  KAFKA_BOOTSTRAP_SERVERS="$E2E_BOOTSTRAP" node "$E2E_REPO_ROOT/scripts/create-topics.ts" \
    >"$E2E_LOG_DIR/create-topics.log" 2>&1 || { cat "$E2E_LOG_DIR/create-topics.log" >&2; e2e_fail "could not create the topics"; }
}

# e2e_kafka_admin start-at-end GROUP TOPIC... | delete-groups GROUP...: consumer-group
# administration with the repository's kafkajs. start-at-end commits, for a group with no
# members, the current end offset of every partition of the topics: the group's first member
# starts exactly there (no history, and nothing produced afterwards is missed, unlike
# auto.offset.reset=latest, which resolves the position only at the first fetch). Prints
# kafkajs's errors, if any; no output otherwise.
e2e_kafka_admin() {
  (cd "$E2E_REPO_ROOT" && node --input-type=module -e '
    import kafkajs from "kafkajs"
    const [command, group, ...topics] = process.argv.slice(1)
    const kafka = new kafkajs.Kafka({ brokers: process.env.E2E_BOOTSTRAP.split(","), clientId: "support-agents-e2e", logLevel: kafkajs.logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    try {
      if (command === "start-at-end") {
        // A member of the group joins, commits the end offsets (taken before it joined) and
        // leaves. (admin.setOffsets does the same but waits for a full fetch, ~5 s.)
        const ends = []
        for (const topic of topics) {
          for (const p of await admin.fetchTopicOffsets(topic)) ends.push({ topic, partition: p.partition, offset: p.high })
        }
        // kafkajs restarts a consumer after a retriable crash (a new broker whose group
        // coordinator is still loading) from a timer set during its own crash handling, also
        // when disconnect ran meanwhile: the restarted member would rejoin, keep partitions
        // and keep this process alive. Once closing, it must not restart.
        let closing = false
        const consumer = kafka.consumer({
          groupId: group, maxWaitTimeInMs: 100, sessionTimeout: 6000, heartbeatInterval: 500,
          retry: { restartOnFailure: async () => !closing }
        })
        await consumer.connect()
        await consumer.subscribe({ topics })
        const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, (event) => {
          if (closing) consumer.disconnect().catch(() => {})
          resolve(event)
        }))
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} })
        await joined
        await consumer.commitOffsets(ends)
        closing = true
        await consumer.disconnect()
      } else if (command === "delete-groups") {
        await admin.deleteGroups([group, ...topics])
      } else throw new Error(`unknown command ${command}`)
    } finally {
      await admin.disconnect()
    }
    process.exit(0)' "$@") 2>&1 | grep -v -e TimeoutNegativeWarning -e 'Timeout duration was set' -e 'node --trace-warnings' || true
  return "${PIPESTATUS[0]}"
}

# e2e_start_agent NAME TOPIC...: runs `node bin/support-agents.js NAME` in the background with the
# mock LLM, a new group (see E2E_GROUP_PREFIX) placed at the end of TOPIC..., metrics on a free
# loopback port; output in $E2E_LOG_DIR/NAME.log.
e2e_start_agent() {
  local name="$1" group out
  shift
  group="$E2E_GROUP_PREFIX-$name-$(date +%s)-$$"
  E2E_GROUPS+=("$group")
  out="$(E2E_BOOTSTRAP="$E2E_BOOTSTRAP" e2e_kafka_admin start-at-end "$group" "$@")" ||
    { printf '%s\n' "$out" >&2; e2e_fail "could not place consumer group $group at the end of $*"; }
  (
    cd "$E2E_REPO_ROOT" &&
      exec env \
        KAFKA_BOOTSTRAP_SERVERS="$E2E_BOOTSTRAP" \
        KAFKA_GROUP_ID="$group" \
        KAFKA_SESSION_TIMEOUT_MS="${KAFKA_SESSION_TIMEOUT_MS:-6000}" \
        KAFKA_HEARTBEAT_INTERVAL_MS="${KAFKA_HEARTBEAT_INTERVAL_MS:-1000}" \
        MOCK_LLM=1 \
        METRICS_PORT=0 \
        METRICS_HOST=127.0.0.1 \
        LOG_LEVEL=INFO \
        LOG_FORMAT=json \
        SHUTDOWN_TIMEOUT_MS="${SHUTDOWN_TIMEOUT_MS:-10000}" \
        node bin/support-agents.js "$name"
  ) >"$E2E_LOG_DIR/$name.log" 2>&1 &
  E2E_AGENTS+=("$name")
  E2E_PIDS+=("$!")
  e2e_log "started $name agent (pid $!, group $group at the end of $*)"
}

# HTTP status of a GET on 127.0.0.1:PORT/PATH (000 when nothing answers).
e2e_http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1$2" 2>/dev/null || true
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => console.log(r.status), () => console.log("000"))' \
      "http://127.0.0.1:$1$2" 2>/dev/null || echo 000
  fi
}

# e2e_wait_ready NAME: waits until the agent's /readyz answers 200 (it joined its group).
e2e_wait_ready() {
  local name="$1" i pid port="" status deadline
  for i in "${!E2E_AGENTS[@]}"; do [ "${E2E_AGENTS[$i]}" = "$name" ] && pid="${E2E_PIDS[$i]}"; done
  deadline=$(( $(date +%s) + E2E_READY_TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || e2e_fail "the $name agent exited before it was ready"
    if [ -z "$port" ]; then
      # {"message":"metrics and health endpoints listening",...,"annotations":{...,"port":N,...}}
      port="$(grep -m1 '"metrics and health endpoints listening"' "$E2E_LOG_DIR/$name.log" 2>/dev/null |
        sed -n 's/.*"port":\([0-9][0-9]*\).*/\1/p' || true)"
    fi
    if [ -n "$port" ]; then
      status="$(e2e_http_status "$port" /readyz)"
      if [ "$status" = "200" ]; then
        e2e_log "$name agent ready (joined its group; metrics on 127.0.0.1:$port)"
        return 0
      fi
    fi
    sleep 0.2
  done
  e2e_fail "the $name agent was not ready within ${E2E_READY_TIMEOUT}s"
}

# e2e_produce TOPIC KEY VALUE: one record with kcat (the value must be one line).
e2e_produce() {
  printf '%s\x1f%s\n' "$2" "$3" | kcat -P -b "$E2E_BOOTSTRAP" -t "$1" -K '\x1f' 2>"$E2E_LOG_DIR/kcat-produce.err" ||
    { cat "$E2E_LOG_DIR/kcat-produce.err" >&2; e2e_fail "kcat could not produce to $1"; }
}

# e2e_find TOPIC KEY SINCE_MS CHECK: polls TOPIC (from timestamp SINCE_MS) with kcat until a record
# with key KEY has a JSON value for which the JavaScript expression CHECK (over `e`) is true;
# prints that value. Returns 1 after $E2E_TIMEOUT seconds.
e2e_find() {
  local topic="$1" key="$2" since="$3" check="$4" deadline found
  deadline=$(( $(date +%s) + E2E_TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    found="$(kcat -C -b "$E2E_BOOTSTRAP" -t "$topic" -o "s@$since" -e -q -f '%k\t%s\n' 2>/dev/null |
      awk -v k="$key" -F '\t' '$1 == k { sub(/^[^\t]*\t/, ""); print }' |
      E2E_CHECK="$check" node -e '
        const check = new Function("e", `return (${process.env.E2E_CHECK})`)
        let input = ""
        process.stdin.on("data", (d) => (input += d))
        process.stdin.on("end", () => {
          for (const line of input.split("\n")) {
            if (line.trim() === "") continue
            try {
              const e = JSON.parse(line)
              if (check(e)) { console.log(line); return }
            } catch {}
          }
        })' || true)"
    if [ -n "$found" ]; then
      printf '%s\n' "$found"
      return 0
    fi
    for pid in "${E2E_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || e2e_fail "an agent exited while waiting for $topic (pid $pid)"
    done
    sleep 1
  done
  return 1
}

# e2e_wait_log NAME MESSAGE ID [TEXT]: waits (up to $E2E_TIMEOUT s) until the NAME agent started
# here logged MESSAGE for ticket ID (and TEXT on the same line). The topics are shared: another
# consumer of ticket.events (an agent of another group) may also process the ticket, so finding
# the event on Kafka alone does not show that the agent under test produced it.
e2e_wait_log() {
  local name="$1" message="$2" id="$3" text="${4:-}" deadline
  deadline=$(( $(date +%s) + E2E_TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if grep -F "\"message\":\"$message\"" "$E2E_LOG_DIR/$name.log" 2>/dev/null | grep -F "\"ticket_id\":\"$id\"" |
      grep -q -F -e "$text"; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# The original checks' ticket: {"event_type":"ticket.created", ... "channel":"portal"}.
e2e_ticket() {
  local id="$1" trace="$2"
  printf '{"event_type":"ticket.created","ticket_id":"%s","customer_id":"e2e-cust","trace_id":"%s","subject":"Billing question","body":"Why was I charged twice? Please help.","created_at":"%s","channel":"portal"}' \
    "$id" "$trace" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

#!/usr/bin/env bash
# Single-node Apache Kafka broker (KRaft, no ZooKeeper, no Docker) for development and CI.
#
#   bash scripts/kafka.sh start     install (first run only) + format + start, wait until it answers
#   bash scripts/kafka.sh stop      SIGTERM, wait up to $KAFKA_STOP_TIMEOUT s, then SIGKILL (idempotent)
#   bash scripts/kafka.sh status    "running" (exit 0) or "not running" (exit 1)
#   bash scripts/kafka.sh restart   stop + start (a fresh broker: its data is wiped)
#   bash scripts/kafka.sh resume    start again on the data of the last run, without wiping or
#                                   formatting: same cluster id, topics, records and committed
#                                   consumer-group offsets (`stop` then `resume` is a broker
#                                   restart as in production); fails when there is nothing to resume
#
# Install: the broker jars (org.apache.kafka:kafka_2.13 + kafka-tools + a logging backend, see
# scripts/kafka/pom.xml) are resolved with Maven and copied to
#   $SUPPORT_AGENTS_CACHE/kafka-<version>/libs        (default ~/.cache/support-agents)
# once; a marker file (.complete, holding the version and the pom's hash) makes later starts skip
# Maven entirely.
#
# Data: EVERY `start` of a new broker WIPES $KAFKA_DATA_DIR (default /tmp/support-agents-kafka)
# and formats it afresh with a new cluster id, so each run begins with no topics, no offsets and
# no consumer groups; `resume` starts a stopped broker again on its data instead. The directory
# holds server.properties, kafka.pid, kafka.log (the broker's log, kept across resumes) and the
# log segments under data/. `start` or `resume` on an already running broker of this script
# leaves it (and its data) alone.
#
# Environment (all optional):
#   KAFKA_VERSION          Kafka version to run (default 4.3.1; without it a failed install of the
#                          default falls back to 3.9.2)
#   SUPPORT_AGENTS_CACHE   jar cache root (default $HOME/.cache/support-agents)
#   KAFKA_DATA_DIR         data/pid/log dir, wiped on each start, kept by resume
#                          (default /tmp/support-agents-kafka)
#   KAFKA_PORT             PLAINTEXT listener on 127.0.0.1 (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft CONTROLLER listener on 127.0.0.1 (default 9093)
#   KAFKA_NUM_PARTITIONS   partitions of auto-created topics (default 3)
#   KAFKA_AUTO_CREATE_TOPICS  `false`: the broker creates no topic on first use, as most production
#                          clusters (default true); `npm run topics:create` creates the agents' topics
#   KAFKA_HEAP_OPTS        broker heap (default "-Xms256m -Xmx768m")
#   KAFKA_OPTS             extra JVM options for the broker
#   KAFKA_LOG_LEVEL        root log level of the broker log (default WARN)
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL (default 30)
#
# Readiness = a real request: `kcat -L` (metadata) when kcat is on PATH (scripts/install-kcat.sh),
# otherwise Kafka's own BrokerApiVersionsCommand (metadata + ApiVersions) from the downloaded jars.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_RES_DIR="$SCRIPT_DIR/kafka"
POM="$KAFKA_RES_DIR/pom.xml"

DEFAULT_KAFKA_VERSION=4.3.1
FALLBACK_KAFKA_VERSION=3.9.2

CACHE_ROOT="${SUPPORT_AGENTS_CACHE:-${HOME:-/tmp}/.cache/support-agents}"
DATA_DIR="${KAFKA_DATA_DIR:-/tmp/support-agents-kafka}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
AUTO_CREATE_TOPICS="${KAFKA_AUTO_CREATE_TOPICS:-true}"
[[ "$AUTO_CREATE_TOPICS" == true || "$AUTO_CREATE_TOPICS" == false ]] ||
  { printf 'kafka.sh: error: KAFKA_AUTO_CREATE_TOPICS must be true or false (got %s)\n' "$AUTO_CREATE_TOPICS" >&2; exit 1; }
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
EXTRA_OPTS="${KAFKA_OPTS:-}"
LOG_LEVEL="${KAFKA_LOG_LEVEL:-WARN}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

HOST=127.0.0.1
BOOTSTRAP="$HOST:$PORT"
PID_FILE="$DATA_DIR/kafka.pid"
LOG_FILE="$DATA_DIR/kafka.log"
INFO_FILE="$DATA_DIR/kafka.env"      # version + libs of the running broker, for status/probe
PROPS_FILE="$DATA_DIR/server.properties"
OWNER_MARK="$DATA_DIR/.support-agents-kafka"
LOCK_FILE="${DATA_DIR%/}.lock"

# JVM flags for the short-lived tool processes (storage format, readiness probe): start fast.
TOOL_JVM=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true)

log() { printf 'kafka.sh: %s\n' "$*"; }
err() { printf 'kafka.sh: error: %s\n' "$*" >&2; }
die() { err "$@"; exit 1; }

now_ms() { date +%s%3N; }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)); }

# ---------------------------------------------------------------------------------------------
# process / port helpers

# Serialises start/stop/status of one data dir (the lock file sits beside it: the dir is wiped).
take_lock() {
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  if command -v flock >/dev/null 2>&1; then
    flock -w 300 9 || die "another kafka.sh holds $LOCK_FILE for more than 300 s"
  fi
}

# The pid from the pid file, if that process is alive and is our broker (guards against pid reuse).
broker_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $PROPS_FILE" || return 1
  fi
  printf '%s\n' "$pid"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

describe_port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnp 2>/dev/null | awk -v p=":$1" 'NR == 1 || index($4, p) == length($4) - length(p) + 1' || true
  fi
}

# A field (version|libs) of the running broker, as recorded by start in $INFO_FILE.
run_info() {
  sed -n "s/^$1=//p" "$INFO_FILE" 2>/dev/null | head -n 1
}

java_major() {
  local v
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  v="${v#1.}"
  printf '%s\n' "${v%%[.+-]*}"
}

# ---------------------------------------------------------------------------------------------
# install

kafka_home() { printf '%s/kafka-%s\n' "$CACHE_ROOT" "$1"; }

install_stamp() { printf '%s %s\n' "$1" "$(sha256sum "$POM" | cut -d' ' -f1)"; }

is_installed() {
  local home; home="$(kafka_home "$1")"
  [[ -f "$home/.complete" && "$(cat "$home/.complete")" == "$(install_stamp "$1")" ]] &&
    compgen -G "$home/libs/kafka_2.13-$1.jar" >/dev/null
}

# Resolves the jars for version $1 into the cache. Returns non-zero (with Maven's output shown) on failure.
install_kafka() {
  local version="$1" home tmp started
  home="$(kafka_home "$version")"
  if is_installed "$version"; then return 0; fi
  command -v mvn >/dev/null 2>&1 || { err "mvn (Maven) is needed to install Kafka $version"; return 1; }
  mkdir -p "$CACHE_ROOT"
  tmp="$(mktemp -d "$CACHE_ROOT/.kafka-$version.XXXXXX")"
  local -a profile=()
  [[ "${version%%.*}" -lt 4 ]] && profile=(-Dkafka.reload4j)
  log "installing Apache Kafka $version with Maven into $home/libs (first run only) ..."
  started="$(now_ms)"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
      -Dkafka.version="$version" "${profile[@]}" -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1 ||
     ! compgen -G "$tmp/libs/kafka_2.13-$version.jar" >/dev/null; then
    err "Maven could not resolve Kafka $version:"
    sed 's/\x1b\[[0-9;]*m//g' "$tmp/mvn.log" | grep -v '^\s*$' | tail -n 25 >&2 || true
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$home/libs" "$home/.complete"
  mkdir -p "$home"
  mv "$tmp/libs" "$home/libs"
  rm -rf "$tmp"
  install_stamp "$version" >"$home/.complete"
  log "installed Kafka $version ($(find "$home/libs" -name '*.jar' | wc -l) jars) in $(elapsed "$started")"
}

# Picks the version to run and makes sure it is installed; prints the version.
ensure_installed() {
  if [[ -n "${KAFKA_VERSION:-}" ]]; then
    install_kafka "$KAFKA_VERSION" >&2 || die "could not install Kafka $KAFKA_VERSION"
    printf '%s\n' "$KAFKA_VERSION"
    return
  fi
  local jmajor; jmajor="$(java_major)"
  if [[ "$jmajor" -ge 17 ]]; then
    if install_kafka "$DEFAULT_KAFKA_VERSION" >&2; then
      printf '%s\n' "$DEFAULT_KAFKA_VERSION"
      return
    fi
    err "falling back to Kafka $FALLBACK_KAFKA_VERSION"
  else
    err "Java $jmajor found; Kafka 4.x brokers need Java 17+, using Kafka $FALLBACK_KAFKA_VERSION"
  fi
  install_kafka "$FALLBACK_KAFKA_VERSION" >&2 || die "could not install Kafka $FALLBACK_KAFKA_VERSION either"
  printf '%s\n' "$FALLBACK_KAFKA_VERSION"
}

# ---------------------------------------------------------------------------------------------
# readiness

# One real request against the broker. Args: version libs-dir. Exit 0 when it answered.
probe() {
  local version="$1" libs="$2"
  if command -v kcat >/dev/null 2>&1; then
    local out
    out="$(timeout 10 kcat -L -b "$BOOTSTRAP" -m 2 2>/dev/null)" || return 1
    grep -Eq '^ *[1-9][0-9]* brokers:' <<<"$out"
    return
  fi
  local cls=org.apache.kafka.tools.BrokerApiVersionsCommand
  # 3.x keeps it in core (kafka.admin); the jar's directory lists class names uncompressed.
  grep -aqF "${cls//.//}.class" "$libs/kafka-tools-$version.jar" 2>/dev/null ||
    cls=kafka.admin.BrokerApiVersionsCommand
  local out
  out="$(timeout 30 java "${TOOL_JVM[@]}" "$(log_opts "$version")" -Dsupport.kafka.log.level=ERROR \
    -cp "$libs/*" "$cls" --bootstrap-server "$BOOTSTRAP" 2>/dev/null)" || return 1
  grep -q -- "(id: " <<<"$out"
}

# The -D flag that points the logging backend of Kafka $1 at our config (copied into the data dir).
log_opts() {
  if [[ "${1%%.*}" -ge 4 ]]; then
    printf '%s\n' "-Dlog4j2.configurationFile=$DATA_DIR/log4j2.properties"
  else
    printf '%s\n' "-Dlog4j.configuration=file:$DATA_DIR/log4j.properties"
  fi
}

# Waits until the broker with pid $1 answers. Args: pid version libs started-ms
wait_ready() {
  local pid="$1" version="$2" libs="$3" started="$4"
  local deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      err "the broker (pid $pid) exited during startup; last lines of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if port_open "$PORT" && probe "$version" "$libs"; then
      log "Kafka $version ready at $BOOTSTRAP (pid $pid, started in $(elapsed "$started"); data + log in $DATA_DIR)"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      err "Kafka $version did not answer at $BOOTSTRAP within ${START_TIMEOUT}s (pid $pid still running);" \
        "last lines of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2 || true
      err "stop it with: bash scripts/kafka.sh stop"
      exit 1
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------------------------
# commands

write_server_properties() {
  cat >"$PROPS_FILE" <<EOF
# Generated by scripts/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DATA_DIR/data

num.partitions=$NUM_PARTITIONS
auto.create.topics.enable=$AUTO_CREATE_TOPICS
delete.topic.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF
}

# Wipes the data dir, refusing anything that does not look like ours.
reset_data_dir() {
  if [[ -d "$DATA_DIR" && -n "$(ls -A "$DATA_DIR")" && ! -f "$OWNER_MARK" ]]; then
    die "$DATA_DIR is not empty and was not created by kafka.sh; refusing to wipe it (set KAFKA_DATA_DIR)"
  fi
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  : >"$OWNER_MARK"
}

cmd_start() {
  command -v java >/dev/null 2>&1 || die "java (17+) is not on PATH"
  take_lock
  local started; started="$(now_ms)"

  local pid
  if pid="$(broker_pid)"; then
    local version libs
    version="$(run_info version)"
    libs="$(run_info libs)"
    if port_open "$PORT" && probe "$version" "$libs"; then
      log "Kafka $version already running at $BOOTSTRAP (pid $pid); leaving it as it is"
      return 0
    fi
    log "Kafka $version (pid $pid) is running but not answering yet; waiting"
    wait_ready "$pid" "$version" "$libs" "$started"
    return 0
  fi

  local p
  for p in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then
      err "port $HOST:$p is already in use by another process (not a broker started by this script)."
      describe_port_owner "$p" >&2
      die "stop that process, or pick other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done

  local version libs
  version="$(ensure_installed)"
  libs="$(kafka_home "$version")/libs"

  reset_data_dir
  cp "$KAFKA_RES_DIR/log4j2.properties" "$KAFKA_RES_DIR/log4j.properties" "$DATA_DIR/"
  write_server_properties
  printf 'version=%s\nlibs=%s\n' "$version" "$libs" >"$INFO_FILE"

  local logopt; logopt="$(log_opts "$version")"
  local cluster_id
  cluster_id="$(java "${TOOL_JVM[@]}" "$logopt" -Dsupport.kafka.log.level=ERROR -cp "$libs/*" \
    kafka.tools.StorageTool random-uuid 2>"$DATA_DIR/storage.log" | tail -n 1)" ||
    { cat "$DATA_DIR/storage.log" >&2; die "kafka.tools.StorageTool random-uuid failed"; }
  if ! java "${TOOL_JVM[@]}" "$logopt" -Dsupport.kafka.log.level=ERROR -cp "$libs/*" \
      kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$PROPS_FILE" \
      >>"$DATA_DIR/storage.log" 2>&1; then
    cat "$DATA_DIR/storage.log" >&2
    die "kafka.tools.StorageTool format failed"
  fi

  launch_broker "$version" "$libs" "$started" "cluster id $cluster_id"
}

# Runs the broker on the formatted data dir and waits until it answers.
# Args: version libs started-ms what-to-log. Appends to the broker log (a resumed broker keeps
# the log of its earlier runs).
launch_broker() {
  local version="$1" libs="$2" started="$3" what="$4"
  local logopt; logopt="$(log_opts "$version")"
  local -a heap extra
  read -r -a heap <<<"$HEAP_OPTS"
  read -r -a extra <<<"$EXTRA_OPTS"
  nohup java "${heap[@]}" \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "$logopt" -Dsupport.kafka.log.level="$LOG_LEVEL" -Dkafka.logs.dir="$DATA_DIR" \
    "${extra[@]}" -cp "$libs/*" kafka.Kafka "$PROPS_FILE" \
    >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  local pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  log "started Kafka $version (pid $pid, $what); waiting for it to answer at $BOOTSTRAP ..."
  wait_ready "$pid" "$version" "$libs" "$started"
}

# The cluster id of the formatted log dir (empty when it was never formatted).
formatted_cluster_id() {
  local meta="$DATA_DIR/data/meta.properties"
  [[ -f "$meta" ]] || return 0
  sed -n 's/^cluster\.id=//p' "$meta" | head -n 1
}

# Starts the broker again on the data of its last run (same cluster id, topics, records,
# committed group offsets): no wipe, no format. Refuses when there is nothing to resume.
cmd_resume() {
  command -v java >/dev/null 2>&1 || die "java (17+) is not on PATH"
  take_lock
  local started; started="$(now_ms)"

  local pid
  if pid="$(broker_pid)"; then
    log "Kafka $(run_info version) already running at $BOOTSTRAP (pid $pid); leaving it as it is"
    return 0
  fi

  local cluster_id; cluster_id="$(formatted_cluster_id)"
  if [[ ! -f "$OWNER_MARK" || -z "$cluster_id" ]]; then
    die "nothing to resume in $DATA_DIR (no broker data formatted by kafka.sh start); use: bash scripts/kafka.sh start"
  fi

  local p
  for p in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$p"; then
      err "port $HOST:$p is already in use by another process (not a broker started by this script)."
      describe_port_owner "$p" >&2
      die "stop that process, or pick other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done

  # The version that wrote the data, if it is still installed; else the one start would pick.
  local version libs
  version="$(run_info version)"
  if [[ -z "$version" ]] || ! is_installed "$version"; then version="$(ensure_installed)"; fi
  libs="$(kafka_home "$version")/libs"

  cp "$KAFKA_RES_DIR/log4j2.properties" "$KAFKA_RES_DIR/log4j.properties" "$DATA_DIR/"
  write_server_properties
  printf 'version=%s\nlibs=%s\n' "$version" "$libs" >"$INFO_FILE"
  launch_broker "$version" "$libs" "$started" "resumed on the data of cluster $cluster_id"
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    log "no broker started by kafka.sh is running (data dir $DATA_DIR)"
    return 0
  fi
  local started; started="$(now_ms)"
  log "stopping Kafka (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      err "broker (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local _
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  log "stopped in $(elapsed "$started")"
}

cmd_status() {
  local pid
  if ! pid="$(broker_pid)"; then
    log "not running"
    return 1
  fi
  local version libs
  version="$(run_info version)"
  libs="$(run_info libs)"
  if port_open "$PORT" && probe "$version" "$libs"; then
    log "running: Kafka $version at $BOOTSTRAP (pid $pid, data + log in $DATA_DIR)"
    return 0
  fi
  log "not running: the process (pid $pid) is alive but Kafka $version does not answer at $BOOTSTRAP"
  return 1
}

# KAFKA_DATA_DIR is wiped on every start (not on resume): insist on something that cannot be a precious directory.
check_data_dir() {
  case "$DATA_DIR" in
    /*) ;;
    *) die "KAFKA_DATA_DIR must be an absolute path (got '$DATA_DIR')" ;;
  esac
  local real; real="$(realpath -m "$DATA_DIR")"
  if [[ "$real" == / || "$real" == "$(realpath -m "${HOME:-/}")" || "$real" =~ ^/[^/]*$ ]]; then
    die "refusing to use KAFKA_DATA_DIR=$DATA_DIR (it is wiped on every start)"
  fi
}

check_data_dir
case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop && cmd_start ;;
  resume) cmd_resume ;;
  *)
    echo "usage: $0 start|stop|status|restart|resume" >&2
    exit 2
    ;;
esac

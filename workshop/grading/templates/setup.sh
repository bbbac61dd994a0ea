#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: Node 26 from the npm
# registry's `node` package (as .ci/run does), redis-server from apt, then the workshop's packages.
# Choose the Ubuntu 24.04 base image: 22.04's redis-server (6.0) is too old for lesson 06.
# AUTOGRADER_ROOT (default /autograder) lets you try it elsewhere.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
# npm only to fetch Node 26 and a current npm; the checks start redis-servers of their own.
apt-get install -y -qq --no-install-recommends redis-server npm ca-certificates >/dev/null
service redis-server stop >/dev/null 2>&1 || true

have=$(redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')
if [ "$(printf '%s\n%s\n' "__MIN_REDIS__" "$have" | sort -V | head -n1)" != "__MIN_REDIS__" ]; then
  echo "redis-server $have is older than __MIN_REDIS__, which the lessons need: choose a newer base image (Ubuntu 24.04)." >&2
  exit 1
fi

npm install --prefix "$ROOT/node" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node@26 npm@11
export PATH="$ROOT/node/node_modules/.bin:$PATH"
echo "node $(node --version), npm $(npm --version), redis-server $have"

cd "$ROOT/source"
npm ci --no-audit --no-fund

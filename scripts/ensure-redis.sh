#!/usr/bin/env bash
# Makes sure a real redis-server is there for the shared rate-limit tests (test/limits/*), which start
# their own on a free loopback port. Used by `npm test` (pretest) and .ci/run. On Debian it installs the
# `redis-server` package when it can (root, or password-less sudo), and stops the system service the
# package starts: the tests run their own instances. Elsewhere it says what to do, and the tests fail
# with the same hint.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 || [ -n "${REDIS_SERVER_BIN:-}" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is not installed; install it (e.g. brew install redis) or set REDIS_SERVER_BIN, or the shared rate-limit tests fail" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "ensure-redis: redis-server is not installed; run: sudo apt-get install -y --no-install-recommends redis-server" >&2
    exit 0
  fi
fi
echo "ensure-redis: installing Debian's redis-server package for the shared rate-limit tests" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The package's own service (port 6379) is not used by the tests; where there is no init system it
# did not start anyway.
"${sudo[@]}" service redis-server stop >/dev/null 2>&1 || true

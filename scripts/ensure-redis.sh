#!/usr/bin/env bash
# Makes sure a real redis-server is there for the shared rate-limit tests (test/limits/*), which start
# their own on free loopback ports. Used by `npm test` (pretest) and .ci/run.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh" redis-server redis-server REDIS_SERVER_BIN "the shared rate-limit tests"

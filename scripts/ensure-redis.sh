#!/usr/bin/env bash
# Makes sure a real redis-server is there for the shared rate-limit tests (test/e2e/shared-rate-limit,
# test/auth/api-keys), which start their own on free loopback ports. Used by `npm test` (pretest),
# `npm run test:e2e` (pretest:e2e) and .ci/run.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh" redis-server redis-server REDIS_SERVER_BIN "the shared rate-limit tests"

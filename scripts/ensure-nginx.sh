#!/usr/bin/env bash
# Makes sure a real nginx is there for the deploy tests (test/e2e/nginx-*), which run the project's own
# deploy/nginx/*.conf in front of the gateway. Used by `npm run test:e2e` (pretest:e2e) and .ci/run.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh" nginx nginx NGINX_BIN "the deploy tests"

#!/usr/bin/env bash
# Makes sure promtool (Prometheus's rule checker and PromQL parser) is there for the dashboard and
# alert tests (test/deploy/alerts.test.ts, dashboards.test.ts). Debian's `prometheus` package ships it.
# Used by `npm test` (pretest) and .ci/run.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh" promtool prometheus PROMTOOL_BIN "the dashboard and alert tests"

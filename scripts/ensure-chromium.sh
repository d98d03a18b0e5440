#!/usr/bin/env bash
# Makes sure a real Chromium is there for the consent-page browser test (test/e2e/sign-in-browser.test.ts),
# driven with playwright-core (which downloads no browser of its own). Used by `npm run test:e2e` (pretest:e2e) and .ci/run.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh" chromium chromium CHROMIUM_BIN "the consent-page browser test"

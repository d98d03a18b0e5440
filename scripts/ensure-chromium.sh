#!/usr/bin/env bash
# Makes sure a real Chromium is there for the consent-page browser test (test/sign-in/browser.test.ts),
# driven with playwright-core (which downloads no browser of its own). Used by `npm test` (pretest) and .ci/run.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-package.sh" chromium chromium CHROMIUM_BIN "the consent-page browser test"

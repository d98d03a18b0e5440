#!/usr/bin/env bash
# Makes sure tap runs the plugin set .taprc names. A fresh `npm ci` holds tap's default set, whose
# TypeScript plugin loads ts-node into every test process besides tsx (about three times a test file's
# CPU); tap notices the difference and rebuilds, but only after the run that noticed it, which runs with
# the default set. So build before the first run, and only then (a build takes about 7 s). Used by
# `npm test` (pretest), `npm run test:e2e` (pretest:e2e) and .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
built=node_modules/@tapjs/test/test-built/dist/esm/index.js
if [ ! -f "$built" ] || grep -q '@tapjs/typescript' "$built"; then
  npx tap build
fi

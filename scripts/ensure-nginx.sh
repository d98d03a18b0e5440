#!/usr/bin/env bash
# Makes sure a real nginx is there for the deploy tests (test/deploy/*), which run the project's own
# deploy/nginx/*.conf in front of the gateway. Used by `npm test` (pretest) and .ci/run. On Debian it
# installs the `nginx` package when it can (root, or password-less sudo); elsewhere it says what to do
# and the deploy tests fail with the same hint.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || [ -n "${NGINX_BIN:-}" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-nginx: nginx is not installed; install it (e.g. brew install nginx) or set NGINX_BIN, or the deploy tests fail" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "ensure-nginx: nginx is not installed; run: sudo apt-get install -y --no-install-recommends nginx" >&2
    exit 0
  fi
fi
echo "ensure-nginx: installing Debian's nginx package for the deploy tests" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null

#!/usr/bin/env bash
# Makes sure a real program is there for the tests that need it, installing its Debian package when it
# can (root, or password-less sudo); elsewhere it says what to do, and the tests fail with the same hint.
# Never fails itself, so `npm test` still runs every other test.
#
#   scripts/ensure-package.sh <command> <debian-package> <override-variable> <what needs it>
set -euo pipefail
command=$1 package=$2 override=$3 purpose=$4

if command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] || [ -n "${!override:-}" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-package: $command is not installed; install it (e.g. brew install $package) or set $override, or $purpose fail" >&2
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "ensure-package: $command is not installed; run: sudo apt-get install -y --no-install-recommends $package" >&2
    exit 0
  fi
fi
echo "ensure-package: installing Debian's $package package for $purpose" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null

#!/usr/bin/env bash
# The browser the suite plays the web console in (tests/net/test_web_console.py): Debian's
# chromium, from the distribution's own packages. Run as root (CI is); does nothing when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium

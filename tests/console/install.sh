#!/usr/bin/env bash
# Installs what the console's browser test needs: Debian's chromium (when
# missing) and playwright-core, pinned by package-lock.json. playwright-core
# drives the installed browser and downloads none of its own.
set -euo pipefail
missing=()
command -v npm >/dev/null || missing+=(nodejs npm)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
echo "console test dependencies are installed"

#!/usr/bin/env bash
# Runs browser_test.mjs (headless Chromium through playwright-core, both
# installed by install.sh) against brookds started here: one without
# credentials, one that checks signatures.
# Usage: browser_test.sh BROOKD [SCREENSHOT_DIR]
set -euo pipefail
brookd=$1
screenshots=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -d "$here/node_modules/playwright-core" ]] || ! command -v chromium >/dev/null; then
  echo "skipped: run tests/console/install.sh first"
  exit 77
fi
node --test "$here/sigv4_test.mjs"
source "$here/../clients/brookd.sh"
base=$(mktemp -d)
mkdir "$base/open" "$base/signed"
start_brookd "$brookd" "$base/open" --limits=unlimited
open_port=$port
start_brookd "$brookd" "$base/signed" --limits=unlimited \
  --access_key_id=AKIDCONSOLETEST --secret_access_key=console-test-secret
signed_port=$port
work_dir=$base  # stop_all removes both.
BROOK_OPEN_ENDPOINT="http://127.0.0.1:$open_port" \
  BROOK_SIGNED_ENDPOINT="http://127.0.0.1:$signed_port" \
  BROOK_SCREENSHOTS="$screenshots" node "$here/browser_test.mjs"

#!/usr/bin/env bash
# Installs the newest AWS SDKs that the conformance tests run against,
# pinned: boto3 and botocore from PyPI (requirements.txt, with hashes) and
# the JavaScript SDK's Kinesis client from npm (package-lock.json).
#
# Usage: install.sh DIR   (then configure with -DBROOK_CONFORMANCE_DIR=DIR)
set -euo pipefail
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
rm -rf "$dir/python"
python3 -m pip install --quiet --disable-pip-version-check --no-deps \
  --require-hashes --target "$dir/python" -r "$here/requirements.txt"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)

#!/usr/bin/env bash
# Installs Brook's build and test dependencies from Debian 12 packages.
# Run as root (or with sudo). Safe to run again.
set -euo pipefail

packages=(
  cmake g++ clang clang-format pkg-config libclang-rt-14-dev
  librocksdb-dev libsnappy-dev liblz4-dev libzstd-dev zlib1g-dev libbz2-dev
  libgflags-dev
  libabsl-dev
  libboost1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev
  libre2-dev
  libcli11-dev
  libnghttp2-dev libcbor-dev
  python3-boto3 awscli
  python3-pip
  python3-h2 python3-cbor2 nghttp2-client curl
  # promtool, which checks brookd's /metrics.
  prometheus
  # The peer comparison (bench/peer_compare.sh): Redis Streams and NATS
  # JetStream servers and their C clients.
  redis-server libhiredis-dev nats-server libnats-dev
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi
# The conformance tests run the newest AWS SDK for JavaScript (from npm).
if ! command -v npm >/dev/null; then
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends nodejs npm
fi
echo "Brook dependencies are installed."

#!/usr/bin/env bash
# Installs what the real-client tests need, every version pinned: the AWS
# SDK for JavaScript v3 and dynalite, a local DynamoDB for the KCL's leases
# (js/package-lock.json), the AWS SDK for Java v2 and the Kinesis Client
# Library (java/pom.xml, into a Maven repository inside the build tree, so
# that the tests then run offline) and the AWS SDK for Go v2 (go/go.sum).
# Needs Go; installs Node.js/npm and a JDK with Maven from Debian when
# they are missing.
# Usage: install.sh [MAVEN_REPO]   (default: build/maven-repo)
set -euo pipefail
missing=()
command -v npm >/dev/null || missing+=(nodejs npm)
command -v mvn >/dev/null || missing+=(maven)
command -v javac >/dev/null || missing+=(default-jdk-headless)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi
command -v go >/dev/null || { echo "install.sh: no Go toolchain" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=${1:-$here/../../build/maven-repo}
mkdir -p "$repo"
(cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$here/java" && mvn -B -q -Dmaven.repo.local="$repo" compile \
  dependency:build-classpath -Dmdep.outputFile=/dev/null)
(cd "$here/go" && go mod download)
echo "client test dependencies are installed"

#!/usr/bin/env bash
# Runs the Java SDK v2 test (tests/clients/java) against a brookd started
# here with a self-signed TLS pair, which the JVM is told to trust.
# Usage: java_sdk_test.sh BROOKD MAVEN_REPO
set -euo pipefail
brookd=$1
repo=$2
here=$(cd "$(dirname "$0")" && pwd)
[[ -d "$repo/software/amazon/awssdk" ]] || { echo "skipped: run tests/clients/install.sh first"; exit 77; }
work=$(mktemp -d)
source "$here/brookd.sh"
start_brookd "$brookd" "$work" --tls_self_signed \
  --tls_cert="$work/cert.pem" --tls_key="$work/key.pem"
keytool -importcert -noprompt -alias brookd -file "$work/cert.pem" \
  -keystore "$work/trust.p12" -storetype PKCS12 -storepass changeit >/dev/null
cd "$here/java"
mvn -B -q -o -Dmaven.repo.local="$repo" compile \
  dependency:build-classpath -Dmdep.outputFile="$work/classpath"
java -Djavax.net.ssl.trustStore="$work/trust.p12" \
  -Djavax.net.ssl.trustStorePassword=changeit \
  -cp "target/classes:$(cat "$work/classpath")" brook.JavaSdkTest \
  "http://localhost:$port" "https://localhost:$port"

#!/usr/bin/env bash
# The web console's routes on a running brookd, over HTTP/1.1 and HTTP/2
# (curl): content types, 404s, caching and safety headers, the loopback
# rule without credentials, and that the API around it is unchanged.
# Usage: console_routes_test.sh BROOKD
set -euo pipefail
brookd=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../clients/brookd.sh"
failures=0
passed=0
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    passed=$((passed + 1))
  else
    echo "FAIL $1: expected '$2', got '$3'"
    failures=$((failures + 1))
  fi
}
# status and content type of a GET: get VERSION_FLAG PATH [CURL_ARGS...]
get() {
  local version=$1 path=$2
  shift 2
  curl -s -o /dev/null "$version" -w '%{http_code} %{content_type}' "$@" \
    "http://127.0.0.1:$port$path"
}

start_brookd "$brookd" "$(mktemp -d)"
for version in --http1.1 --http2-prior-knowledge; do
  check "$version index" "200 text/html; charset=utf-8" "$(get $version /console/)"
  check "$version bare" "200 text/html; charset=utf-8" "$(get $version /console)"
  check "$version script" "200 text/javascript; charset=utf-8" \
    "$(get $version /console/console.js)"
  check "$version style" "200 text/css; charset=utf-8" \
    "$(get $version /console/console.css)"
  check "$version unknown" "404 text/plain; charset=utf-8" \
    "$(get $version /console/nope.html)"
  check "$version traversal" "404 text/plain; charset=utf-8" \
    "$(get $version /console/../console/index.html --path-as-is)"
  # DNS rebinding: a page of another site whose name points at 127.0.0.1.
  check "$version foreign host" "403 text/plain; charset=utf-8" \
    "$(get $version /console/ -H 'Host: rebound.example')"
  check "$version localhost" "200 text/html; charset=utf-8" \
    "$(get $version /console/ -H "Host: localhost:$port")"
  headers=$(curl -s -D - -o /dev/null "$version" \
    "http://127.0.0.1:$port/console/console.js" | tr -d '\r' |
    tr '[:upper:]' '[:lower:]')
  for header in "cache-control: no-cache" "x-content-type-options: nosniff" \
    "x-frame-options: deny"; do
    check "$version $header" 1 "$(grep -cx "$header" <<<"$headers")"
  done
  check "$version csp" 1 "$(grep -c "^content-security-policy: default-src 'none'; script-src 'self'" <<<"$headers")"
  etag=$(grep '^etag: ' <<<"$headers" | cut -d' ' -f2)
  check "$version revalidation" "304 text/javascript; charset=utf-8" \
    "$(get $version /console/console.js -H "If-None-Match: $etag")"
  # What is not the console is answered as before.
  check "$version health" "200 text/plain" "$(get $version /health)"
  check "$version root" "403 application/x-amz-json-1.1" "$(get $version /)"
  check "$version near miss" "403 application/x-amz-json-1.1" \
    "$(get $version /consoles)"
  check "$version api on the path" "200" "$(curl -s -o /dev/null "$version" \
    -w '%{http_code}' -X POST -H 'X-Amz-Target: Kinesis_20131202.ListStreams' \
    -H 'Content-Type: application/x-amz-json-1.1' -d '{}' \
    "http://127.0.0.1:$port/console/")"
done
stop_all
pids=()

# With credentials the console is public (its calls must be signed), so a
# foreign Host is no longer refused; unsigned API calls are.
start_brookd "$brookd" "$(mktemp -d)" --access_key_id=AKIDCONSOLE \
  --secret_access_key=console-secret
check "signed: foreign host" "200 text/html; charset=utf-8" \
  "$(get --http1.1 /console/ -H 'Host: brook.example')"
check "signed: unsigned call" "400" "$(curl -s -o /dev/null -w '%{http_code}' \
  -X POST -H 'X-Amz-Target: Kinesis_20131202.ListStreams' \
  -H 'Content-Type: application/x-amz-json-1.1' -d '{}' \
  "http://127.0.0.1:$port/")"

stop_all
pids=()

# Over TLS (what a console reached over the network needs for WebCrypto).
start_brookd "$brookd" "$(mktemp -d)" --tls_self_signed
for version in --http1.1 --http2; do
  check "tls $version index" "200 text/html; charset=utf-8" \
    "$(curl -sk -o /dev/null "$version" -w '%{http_code} %{content_type}' \
      "https://127.0.0.1:$port/console/")"
done

echo "$passed passed, $failures failed"
((failures == 0))

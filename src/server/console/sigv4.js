// AWS Signature Version 4 for the console's API calls, over WebCrypto
// (crypto.subtle, which browsers offer only to secure contexts: https, or
// http on localhost and 127.0.0.1).
//
//   canonical request = method \n path \n query \n
//                       name:value \n (each signed header, sorted) \n
//                       signed header names ; joined \n hex(sha256(body))
//   string to sign    = "AWS4-HMAC-SHA256" \n x-amz-date \n scope \n
//                       hex(sha256(canonical request))
//   signing key       = HMAC chain of "AWS4"+secret over date, region,
//                       service, "aws4_request"
//
// The caller gives header names in lower case and values already trimmed,
// and the query already in canonical form (sorted, encoded); the console
// signs only POST / with no query.

const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}

async function sha256(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return crypto.subtle.digest("SHA-256", bytes);
}

async function hmac(key, text) {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    typeof key === "string" ? encoder.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(text));
}

// "20150830T123600Z" for a Date.
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

// Whether this page can sign at all (a secure context).
export function canSign() {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined;
}

// The Authorization header for a request. `headers`: {lowerName: value},
// which must include host and x-amz-date (= amzDate(date)).
export async function authorization({
  method,
  path,
  query = "",
  headers,
  body,
  accessKeyId,
  secretAccessKey,
  region,
  service,
  date,
}) {
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const names = Object.keys(headers).sort();
  const canonical = [
    method,
    path,
    query,
    names.map((name) => `${name}:${headers[name]}\n`).join(""),
    names.join(";"),
    hex(await sha256(body)),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = [
    "AWS4-HMAC-SHA256",
    stamp,
    scope,
    hex(await sha256(canonical)),
  ].join("\n");
  let key = await hmac(`AWS4${secretAccessKey}`, day);
  for (const part of [region, service, "aws4_request"]) {
    key = await hmac(key, part);
  }
  const signature = hex(await hmac(key, toSign));
  return (
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`
  );
}

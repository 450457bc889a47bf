// The console's SigV4 (src/server/console/sigv4.js) against AWS's published
// examples: the SigV4 test suite's get-vanilla and the IAM ListUsers
// example of the "Create a signed AWS API request" guide.
// Usage: node sigv4_test.mjs   (Node.js 20 or newer: WebCrypto built in)
import assert from "node:assert/strict";
import { test } from "node:test";
import { authorization } from "../../src/server/console/sigv4.js";

const secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const date = new Date("2015-08-30T12:36:00Z");

function signatureOf(header) {
  return header.match(/Signature=([0-9a-f]+)$/)[1];
}

test("get-vanilla", async () => {
  const header = await authorization({
    method: "GET",
    path: "/",
    headers: { host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" },
    body: "",
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey,
    region: "us-east-1",
    service: "service",
    date,
  });
  assert.equal(
    header,
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/" +
      "aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
});

test("IAM ListUsers", async () => {
  const header = await authorization({
    method: "GET",
    path: "/",
    query: "Action=ListUsers&Version=2010-05-08",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      host: "iam.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
    },
    body: "",
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey,
    region: "us-east-1",
    service: "iam",
    date,
  });
  assert.equal(
    signatureOf(header),
    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
  );
});

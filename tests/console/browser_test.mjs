// brookd's web console in headless Chromium: streams made, records put and
// shards split through the API show up in the pages; record data, partition
// keys and names are shown as text, never run; with credentials the page
// signs its calls. Endpoints from the environment (browser_test.sh starts
// them): BROOK_OPEN_ENDPOINT (no credentials), BROOK_SIGNED_ENDPOINT
// (AKIDCONSOLETEST / console-test-secret). With BROOK_SCREENSHOTS set, a
// PNG of each page goes there (docs/console.md shows them).
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { amzDate, authorization } from "../../src/server/console/sigv4.js";

const open = process.env.BROOK_OPEN_ENDPOINT;
const signed = process.env.BROOK_SIGNED_ENDPOINT;
const screenshots = process.env.BROOK_SCREENSHOTS;
const keys = { accessKeyId: "AKIDCONSOLETEST", secretAccessKey: "console-test-secret" };
const STREAM = "console-demo";
const HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
const HOSTILE_KEY = '<b id="pk">key</b>';
const WAIT = { timeout: 15000 };

// A Kinesis call from the test, signed when `sign` (as the SDKs do).
async function api(endpoint, operation, input, sign = false) {
  const body = JSON.stringify(input);
  const headers = {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": `Kinesis_20131202.${operation}`,
  };
  if (sign) {
    const date = new Date();
    headers["x-amz-date"] = amzDate(date);
    headers.authorization = await authorization({
      method: "POST", path: "/", body, date, region: "us-east-1",
      service: "kinesis", headers: { ...headers, host: new URL(endpoint).host },
      ...keys,
    });
  }
  const response = await fetch(`${endpoint}/`, { method: "POST", headers, body });
  const text = await response.text();
  assert.ok(response.ok, `${operation}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

// One of Brook's own operations (unsigned).
async function brook(endpoint, operation, input) {
  const response = await fetch(`${endpoint}/`, {
    method: "POST", body: JSON.stringify(input),
    headers: { "content-type": "application/x-amz-json-1.1",
               "x-amz-target": `Brook_20261201.${operation}` },
  });
  assert.ok(response.ok, `${operation}: ${response.status} ${await response.text()}`);
}

function put(data, key = "pk") {
  return api(open, "PutRecord", {
    StreamName: STREAM, PartitionKey: key,
    Data: Buffer.from(data).toString("base64"),
  });
}

let browser;
let page;
const pageErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.BROOK_CHROMIUM || "/usr/bin/chromium",
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(message.text());
  });
  if (screenshots) mkdirSync(screenshots, { recursive: true });
  await api(open, "CreateStream", { StreamName: STREAM, ShardCount: 1 });
});

after(async () => {
  await browser?.close();
});

async function screenshot(name) {
  if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });
}

test("the streams page shows a stream created through the API", async () => {
  await page.goto(`${open}/console/`);
  const row = page.locator(`#streams tr[data-stream="${STREAM}"]`);
  await row.waitFor(WAIT);
  const cells = await row.locator("td").allTextContents();
  assert.equal(cells[0], STREAM);
  assert.equal(cells[1], "ACTIVE");
  assert.equal(cells[2], "PROVISIONED");
  assert.equal(cells[3], "1");
  assert.equal(cells[4], "24 h");
});

test("the data viewer shows records as text, JSON and hex", async () => {
  await put("hello console");
  await put('{"user":"ada","n":1}');
  await put(Buffer.from([0x00, 0x01, 0x02, 0xff]));
  await put(HOSTILE, HOSTILE_KEY);
  const shards = (await api(open, "ListShards", { StreamName: STREAM })).Shards;
  await page.goto(`${open}/console/#/data/${STREAM}/${shards[0].ShardId}`);
  const rows = page.locator("#records tbody tr");
  await page.waitForFunction(() => document.querySelectorAll("#records tbody tr").length === 4, null, WAIT);
  assert.equal(await rows.nth(0).locator(".record-data").textContent(), "hello console");

  await page.selectOption("select[name=format]", "json");
  assert.equal(await rows.nth(1).locator(".record-data").textContent(),
               '{\n  "user": "ada",\n  "n": 1\n}');
  assert.match(await rows.nth(0).locator(".record-data").textContent(), /not JSON/);
  await screenshot("console-data");

  await page.selectOption("select[name=format]", "hex");
  assert.match(await rows.nth(2).locator(".record-data").textContent(),
               /^00000000  00 01 02 ff\s+\.\.\.\.$/);
  await page.selectOption("select[name=format]", "text");
  // Control characters as their pictures; 0xff is no UTF-8.
  assert.equal(await rows.nth(2).locator(".record-data").textContent(), "\u2400\u2401\u2402\ufffd");
});

test("record data and partition keys are shown as text, never run", async () => {
  const row = page.locator("#records tbody tr").nth(3);
  assert.equal(await row.locator(".record-data").textContent(), HOSTILE);
  assert.equal(await row.locator(".partition-key").textContent(), HOSTILE_KEY);
  assert.equal(await page.locator("#records script, #records img, #pk").count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test("the data viewer follows new records live", async () => {
  await put("arrived later");
  await page.locator("#records tbody tr", { hasText: "arrived later" }).waitFor(WAIT);
  assert.match(await page.locator("#reader-status").textContent(), /Following/);
  // A large record shows its first 4 KiB.
  await put("a".repeat(20000));
  const large = page.locator("#records tbody tr", { hasText: "more bytes" });
  await large.waitFor(WAIT);
  assert.equal(await large.locator("td").nth(3).textContent(), "20000");
  assert.equal(await large.locator(".record-data").textContent(),
               `${"a".repeat(4096)}\n… ${20000 - 4096} more bytes`);
});

test("the data viewer reads from a sequence number", async () => {
  const third = await page.locator("#records tbody tr").nth(2).getAttribute("data-sequence");
  await page.uncheck("input[name=follow]");
  await page.selectOption("select[name=position]", "AT_SEQUENCE_NUMBER");
  await page.fill("input[name=sequence]", third);
  await page.click("button[name=start]");
  await page.locator("#reader-status", { hasText: "Caught up" }).waitFor(WAIT);
  const shown = await page.locator("#records tbody tr").evaluateAll(
    (rows) => rows.map((row) => row.getAttribute("data-sequence")));
  assert.equal(shown.length, 4);  // The third, the hostile, later and large ones.
  assert.equal(shown[0], third);
});

test("the stream page follows a split in the lineage", async () => {
  await page.goto(`${open}/console/#/stream/${STREAM}`);
  await page.locator("#lineage svg rect").first().waitFor(WAIT);
  assert.equal(await page.locator("#lineage svg rect").count(), 1);
  const parent = (await api(open, "ListShards", { StreamName: STREAM })).Shards[0];
  await api(open, "SplitShard", {
    StreamName: STREAM, ShardToSplit: parent.ShardId,
    NewStartingHashKey: (1n << 127n).toString(),
  });
  await page.waitForFunction(() => document.querySelectorAll("#lineage svg rect").length === 3, null, WAIT);
  const shards = (await api(open, "ListShards", { StreamName: STREAM })).Shards;
  const children = shards.filter((s) => s.ParentShardId === parent.ShardId);
  assert.equal(children.length, 2);
  await page.waitForFunction((id) => document.querySelector(
    `#lineage svg a[data-shard="${id}"] rect`)?.getAttribute("class") === "closed",
    parent.ShardId, WAIT);
  for (const child of children) {
    assert.equal(await page.locator(`#lineage svg a[data-shard="${child.ShardId}"] rect`)
      .getAttribute("class"), "open");
    assert.equal(await page.locator(`#shards tr[data-shard="${child.ShardId}"] td`).nth(1)
      .textContent(), "open");
  }
  // Children are drawn right of their parent, halves of its key space.
  const box = async (id) => page.locator(`#lineage svg a[data-shard="${id}"] rect`).boundingBox();
  const parentBox = await box(parent.ShardId);
  for (const child of children) {
    const childBox = await box(child.ShardId);
    assert.ok(childBox.x > parentBox.x + parentBox.width);
    assert.ok(Math.abs(childBox.height - parentBox.height / 2) < 3);
  }
  // A registered consumer is listed.
  const arn = (await api(open, "DescribeStreamSummary", { StreamName: STREAM }))
    .StreamDescriptionSummary.StreamARN;
  const registered = await api(open, "RegisterStreamConsumer",
                               { StreamARN: arn, ConsumerName: "billing-app" });
  const consumer = page.locator("#consumers tbody tr", { hasText: "billing-app" });
  await consumer.waitFor(WAIT);
  assert.equal(await consumer.locator("td").first().textContent(), "billing-app");
  assert.equal(await consumer.locator("td").nth(3).textContent(), "0");
  assert.equal(await consumer.locator("td").nth(4).textContent(), "—");
  // Its subscription, once open, shows as a subscribed shard with a lag.
  const consumerArn = registered.Consumer.ConsumerARN;
  for (let i = 0; i < 50; i++) {
    const d = await api(open, "DescribeStreamConsumer", { ConsumerARN: consumerArn });
    if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const subscription = new AbortController();
  const events = await fetch(`${open}/`, {
    method: "POST", signal: subscription.signal,
    headers: { "content-type": "application/x-amz-json-1.1",
               "x-amz-target": "Kinesis_20131202.SubscribeToShard" },
    body: JSON.stringify({ ConsumerARN: consumerArn, ShardId: children[0].ShardId,
                           StartingPosition: { Type: "TRIM_HORIZON" } }),
  });
  assert.equal(events.status, 200);
  await events.body.getReader().read();  // initial-response, then left unread
  await page.locator('#consumers tr[data-consumer="billing-app"] td:nth-child(4)',
                     { hasText: "1" }).waitFor(WAIT);
  assert.match(await consumer.locator("td").nth(4).textContent(), /^\d+(\.\d)? (ms|s|min)$/);
  subscription.abort();
  // An application's checkpoints and their lag: one finished the parent,
  // one is a record behind in the first child.
  const firstChild = children.find((c) => c.HashKeyRange.StartingHashKey === "0");
  const done = await api(open, "PutRecord", {
    StreamName: STREAM, PartitionKey: "k", ExplicitHashKey: "0",
    Data: Buffer.from("processed").toString("base64"),
  });
  await api(open, "PutRecord", {
    StreamName: STREAM, PartitionKey: "k", ExplicitHashKey: "0",
    Data: Buffer.from("pending").toString("base64"),
  });
  await brook(open, "PutCheckpoint", { StreamName: STREAM, ApplicationName: "billing",
    ShardId: parent.ShardId, ShardEnd: true });
  await brook(open, "PutCheckpoint", { StreamName: STREAM, ApplicationName: "billing",
    ShardId: firstChild.ShardId, SequenceNumber: done.SequenceNumber });
  await page.fill("input[name=application]", "billing");
  await page.click("#checkpoints-form button");
  const lag = page.locator(`#checkpoints tr[data-shard="${firstChild.ShardId}"] td`);
  await lag.first().waitFor(WAIT);
  assert.equal(await lag.nth(1).textContent(), done.SequenceNumber);
  assert.match(await lag.nth(2).textContent(), /^records to process from /);
  assert.equal(await page.locator(`#checkpoints tr[data-shard="${parent.ShardId}"] td`)
    .nth(2).textContent(), "finished (shard end)");
  // Rates show from the second sample on.
  await page.waitForFunction(() => !document.querySelector(
    `#shards tr:last-child td:nth-child(6)`)?.textContent.includes("—"), null, WAIT);
  await screenshot("console-stream");
});

test("the streams page shows write and read rates", async () => {
  await api(open, "CreateStream", { StreamName: "orders.v2", ShardCount: 4 });
  await page.goto(`${open}/console/#/`);
  const writes = page.locator('#streams tr[data-stream="orders.v2"] td').nth(6);
  await writes.waitFor(WAIT);
  // Rates need two samples of the counters with the writes between them.
  await page.waitForFunction(() => document.querySelector(
    '#streams tr[data-stream="orders.v2"] td:nth-child(7)')?.textContent === "0.0/s · 0 B/s",
    null, WAIT);
  await api(open, "PutRecords", {
    StreamName: "orders.v2",
    Records: Array.from({ length: 60 }, (_, i) => ({
      PartitionKey: `customer-${i}`,
      Data: Buffer.from(JSON.stringify({ order: i, total: 10 + i })).toString("base64"),
    })),
  });
  await page.waitForFunction(() => /^[1-9]/.test(document.querySelector(
    '#streams tr[data-stream="orders.v2"] td:nth-child(7)')?.textContent ?? ""),
    null, WAIT);
  await screenshot("console-streams");
});

test("with credentials the page asks for a key pair and signs its calls", async () => {
  await api(signed, "CreateStream", { StreamName: "signed-stream", ShardCount: 2 }, true);
  const context = await browser.newContext();
  const signedPage = await context.newPage();
  await signedPage.goto(`${signed}/console/`);
  const form = signedPage.locator("form.signin");
  await form.waitFor(WAIT);
  await signedPage.fill("input[name=key_id]", keys.accessKeyId);
  await signedPage.fill("input[name=secret]", "not-the-secret");
  await signedPage.click("form.signin button[type=submit]");
  await signedPage.locator("form.signin .error, main .error").first().waitFor(WAIT);
  assert.match(await signedPage.locator("main").textContent(), /InvalidSignatureException/);
  await signedPage.fill("input[name=key_id]", keys.accessKeyId);
  await signedPage.fill("input[name=secret]", keys.secretAccessKey);
  await signedPage.click("form.signin button[type=submit]");
  await signedPage.locator('#streams tr[data-stream="signed-stream"]').waitFor(WAIT);
  assert.match(await signedPage.locator("#identity").textContent(), /AKIDCONSOLETEST/);
  await context.close();
});

test("no script errors and no blocked content in any page", () => {
  assert.deepEqual(pageErrors, []);
});

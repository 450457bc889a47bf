// Brook's web console: streams, a stream's shards and lineage, and a data
// viewer, all read through brookd's own API (JSON 1.1 with X-Amz-Target,
// the Kinesis operations and Brook's GetShardMetrics), signed with the
// user's key pair when brookd asks for signatures.
//
// Everything shown is put in the page as text (textContent, attribute
// values), never as markup: stream names, partition keys and record data
// are untrusted.

import { amzDate, authorization, canSign } from "/console/sigv4.js";

const KINESIS = "Kinesis_20131202.";
const BROOK = "Brook_20261201.";
const REFRESH_MS = 3000;      // Streams and stream pages.
const FOLLOW_MS = 1000;       // The data viewer once caught up.
const MAX_ROWS = 200;         // Records the data viewer keeps.
const MAX_SHOWN_BYTES = 4096; // Of one record's data, as text or JSON.
const MAX_HEX_BYTES = 1024;   // Of one record's data, as hex.
const MAX_STREAMS = 100;      // Listed on the streams page.
const SIGNING_ERRORS = new Set([
  "MissingAuthenticationTokenException",
  "IncompleteSignatureException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
]);

// --- Building the page -----------------------------------------------------

// el("td", {class: "num"}, "text", child...): strings become text nodes.
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === "string" ? document.createTextNode(child)
                                          : child);
  }
  return node;
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, String(value));
  }
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child)
                                          : child);
  }
  return node;
}

function link(href, text) {
  return el("a", { href }, text);
}

function table(headings, rows) {
  return el("table", {},
    el("thead", {}, el("tr", {}, ...headings.map(
      (h) => el("th", { class: h.num ? "num" : undefined }, h.text ?? h)))),
    el("tbody", {}, ...rows));
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes);
}

function crumbs(...parts) {
  document.getElementById("crumbs").replaceChildren(
    ...parts.map(([text, href]) => href ? link(href, text) : el("span", {}, text)));
}

function streamHref(name) {
  return `#/stream/${encodeURIComponent(name)}`;
}

function dataHref(stream, shard) {
  return `#/data/${encodeURIComponent(stream)}/${encodeURIComponent(shard)}`;
}

// --- Numbers and times -----------------------------------------------------

function bytes(n) {
  if (n < 1024) return `${n.toFixed(n % 1 ? 1 : 0)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return `${n.toFixed(1)} ${units[i]}`;
}

function rate(value, unit) {
  if (value === undefined) return "—";
  return unit === "B" ? `${bytes(value)}/s` : `${value.toFixed(1)}/s`;
}

function when(seconds) {
  if (seconds === undefined) return "";
  return new Date(seconds * 1000).toISOString().replace("T", " ").replace("Z", " UTC");
}

function millis(ms) {
  if (ms === undefined) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

// --- The API ---------------------------------------------------------------

class ApiError extends Error {
  constructor(type, message) {
    super(`${type}: ${message}`);
    this.type = type;
  }
}

const credentials = {
  load() {
    try {
      return JSON.parse(sessionStorage.getItem("brook.credentials") || "null");
    } catch {
      return null;
    }
  },
  save(value) {
    sessionStorage.setItem("brook.credentials", JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem("brook.credentials");
  },
};

// Calls `operation` ("ListStreams", or Brook's "Brook_20261201.X") with
// `input`; resolves to the parsed answer or rejects with an ApiError.
async function call(operation, input = {}) {
  const target = operation.includes(".") ? operation : KINESIS + operation;
  const body = JSON.stringify(input);
  const headers = {
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": target,
  };
  const keys = credentials.load();
  if (keys) {
    if (!canSign()) {
      throw new ApiError("Console",
        "this page cannot sign requests: browsers offer WebCrypto only over " +
        "https or on localhost; serve brookd with TLS (--tls_cert)");
    }
    const date = new Date();
    headers["x-amz-date"] = amzDate(date);
    const signed = { ...headers, host: location.host };
    headers.authorization = await authorization({
      method: "POST", path: "/", headers: signed, body,
      accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey,
      region: keys.region || "us-east-1", service: "kinesis", date,
    });
  }
  const response = await fetch("/", { method: "POST", headers, body, cache: "no-store" });
  const text = await response.text();
  let answer = {};
  try {
    answer = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError("Console", `brookd answered ${response.status} with no JSON`);
  }
  if (!response.ok) {
    const type = String(answer.__type || `HTTP ${response.status}`).split("#").pop();
    const error = new ApiError(type, answer.message || answer.Message || "");
    if (SIGNING_ERRORS.has(type)) signIn(error);
    throw error;
  }
  return answer;
}

// Retries a call refused for throughput (the stream's read limits) after
// a pause, a few times.
async function callPatiently(operation, input) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(operation, input);
    } catch (error) {
      const limited = error.type === "ProvisionedThroughputExceededException" ||
                      error.type === "LimitExceededException";
      if (!limited || attempt >= 5) throw error;
      await sleep(1000);
    }
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function listShards(stream) {
  const shards = [];
  let token;
  do {
    const answer = await call("ListShards",
      token ? { NextToken: token, MaxResults: 1000 }
            : { StreamName: stream, MaxResults: 1000 });
    shards.push(...(answer.Shards || []));
    token = answer.NextToken;
  } while (token);
  return shards;
}

// Per-shard rates from two samples of Brook's cumulative counters.
class Rates {
  constructor() { this.last = new Map(); }

  // Takes a sample of `stream`; returns {shardId: {inBytes, inRecords,
  // outBytes, outRecords, iteratorAge}}, rates undefined on the first sample.
  async sample(stream) {
    const answer = await call(BROOK + "GetShardMetrics", { StreamName: stream });
    const now = performance.now();
    const result = {};
    for (const shard of answer.Shards || []) {
      const key = `${stream}\u0000${shard.ShardId}`;
      const before = this.last.get(key);
      const seconds = before ? (now - before.at) / 1000 : 0;
      const per = (name) => before && seconds > 0
        ? Math.max(0, shard[name] - before.shard[name]) / seconds : undefined;
      result[shard.ShardId] = {
        inBytes: per("IncomingBytes"),
        inRecords: per("IncomingRecords"),
        outBytes: per("OutgoingBytes"),
        outRecords: per("OutgoingRecords"),
        iteratorAge: shard.IteratorAgeMilliseconds,
      };
      this.last.set(key, { at: now, shard });
    }
    return result;
  }
}

function sum(perShard, name) {
  const values = Object.values(perShard).map((s) => s[name]);
  if (values.some((v) => v === undefined)) return undefined;
  return values.reduce((a, b) => a + b, 0);
}

const rates = new Rates();

// --- Signing in ------------------------------------------------------------

function showIdentity() {
  const keys = credentials.load();
  const identity = document.getElementById("identity");
  if (!keys) {
    identity.replaceChildren();
    return;
  }
  const signOut = el("button", { type: "button" }, "Sign out");
  signOut.addEventListener("click", () => {
    credentials.clear();
    location.reload();
  });
  identity.replaceChildren(`Signed with ${keys.accessKeyId}`, signOut);
}

let signingIn = false;

// brookd wants signatures: asks for a key pair, then reloads the view.
function signIn(error) {
  if (signingIn) return;
  signingIn = true;
  stopAll();
  crumbs(["Sign in"]);
  const form = el("form", { class: "signin panel" },
    el("p", {}, "brookd checks Signature Version 4 signatures. Enter the key " +
                "pair it was started with; the page keeps it in this tab only " +
                "and signs each call with it (the secret is never sent)."),
    el("label", {}, "Access key ID",
       el("input", { name: "key_id", autocomplete: "username", required: "" })),
    el("label", {}, "Secret access key",
       el("input", { name: "secret", type: "password",
                     autocomplete: "current-password", required: "" })),
    el("label", {}, "Region",
       el("input", { name: "region", value: "us-east-1", required: "" })),
    el("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    credentials.save({
      accessKeyId: form.elements.key_id.value.trim(),
      secretAccessKey: form.elements.secret.value,
      region: form.elements.region.value.trim(),
    });
    signingIn = false;
    showIdentity();
    route();
  });
  show(el("h1", {}, "Sign in"),
       credentials.load() ? el("p", { class: "error" }, error.message) : null,
       form);
}

// --- Views -----------------------------------------------------------------

// The running view's timers and loops stop when the view changes.
let generation = 0;
const timers = new Set();

function stopAll() {
  generation++;
  for (const timer of timers) clearTimeout(timer);
  timers.clear();
}

function every(ms, work) {
  const mine = generation;
  const tick = async () => {
    if (mine !== generation) return;
    try {
      await work();
    } catch (error) {
      if (mine === generation && !signingIn) showError(error);
    }
    if (mine !== generation) return;
    const timer = setTimeout(tick, ms);
    timers.add(timer);
  };
  tick();
}

function showError(error) {
  let box = document.getElementById("error");
  if (!box) {
    box = el("p", { id: "error", class: "error" });
    document.getElementById("main").prepend(box);
  }
  box.textContent = String(error.message || error);
}

function clearError() {
  document.getElementById("error")?.remove();
}

// Streams: status, mode, shards, retention, rates.
function streamsView() {
  crumbs(["Streams"]);
  const body = el("tbody");
  const note = el("p", { class: "muted" });
  show(el("h1", {}, "Streams"),
       el("table", { id: "streams" },
          el("thead", {}, el("tr", {}, ...["Name", "Status", "Mode", "Open shards",
             "Retention", "Consumers", "Writes", "Reads"].map(
               (h, i) => el("th", { class: i >= 3 ? "num" : undefined }, h)))),
          body),
       note);
  every(REFRESH_MS, async () => {
    const answer = await call("ListStreams", { Limit: MAX_STREAMS });
    const names = answer.StreamNames || [];
    const rows = await Promise.all(names.map(async (name) => {
      const [summary, perShard] = await Promise.all([
        call("DescribeStreamSummary", { StreamName: name }),
        rates.sample(name).catch(() => ({})),
      ]);
      const s = summary.StreamDescriptionSummary;
      return el("tr", { "data-stream": name },
        el("td", {}, link(streamHref(name), name)),
        el("td", { class: `status-${s.StreamStatus}` }, s.StreamStatus),
        el("td", {}, s.StreamModeDetails?.StreamMode ?? "PROVISIONED"),
        el("td", { class: "num" }, String(s.OpenShardCount)),
        el("td", { class: "num" }, `${s.RetentionPeriodHours} h`),
        el("td", { class: "num" }, String(s.ConsumerCount ?? 0)),
        el("td", { class: "num" },
           `${rate(sum(perShard, "inRecords"))} · ${rate(sum(perShard, "inBytes"), "B")}`),
        el("td", { class: "num" },
           `${rate(sum(perShard, "outRecords"))} · ${rate(sum(perShard, "outBytes"), "B")}`));
    }));
    clearError();
    body.replaceChildren(...rows);
    note.textContent = names.length === 0
      ? "No streams yet: create one with CreateStream (aws kinesis create-stream)."
      : `${names.length} stream${names.length === 1 ? "" : "s"}` +
        (answer.HasMoreStreams ? ` (the first ${MAX_STREAMS})` : "") +
        `; rates are records/s · bytes/s over the last ${REFRESH_MS / 1000} s.`;
  });
}

const KEYSPACE = 1n << 128n;

// The lineage: each shard a box, its height its share of the hash key
// space, its column its generation (a child right of its parents); lines
// join parents to children.
function lineagePicture(stream, shards) {
  const byId = new Map(shards.map((s) => [s.ShardId, s]));
  const depth = new Map();
  const depthOf = (shard) => {
    if (depth.has(shard.ShardId)) return depth.get(shard.ShardId);
    depth.set(shard.ShardId, 0);  // Guards against a cycle.
    const parents = [shard.ParentShardId, shard.AdjacentParentShardId]
      .map((id) => byId.get(id)).filter(Boolean);
    const d = parents.length ? Math.max(...parents.map(depthOf)) + 1 : 0;
    depth.set(shard.ShardId, d);
    return d;
  };
  shards.forEach(depthOf);
  const columns = Math.max(0, ...depth.values()) + 1;
  const W = 190, GAP = 60, H = 360, TOP = 20, LEFT = 10;
  const width = LEFT + columns * (W + GAP);
  const picture = svg("svg", {
    class: "lineage", width, height: H + TOP + 30,
    viewBox: `0 0 ${width} ${H + TOP + 30}`, role: "img",
    "aria-label": `Shard lineage of ${stream}`,
  });
  const place = new Map();
  for (const shard of shards) {
    const start = BigInt(shard.HashKeyRange.StartingHashKey);
    const end = BigInt(shard.HashKeyRange.EndingHashKey);
    const y0 = TOP + Number((start * 10000n) / KEYSPACE) / 10000 * H;
    const y1 = TOP + Number(((end + 1n) * 10000n) / KEYSPACE) / 10000 * H;
    const x = LEFT + depth.get(shard.ShardId) * (W + GAP);
    place.set(shard.ShardId, { x, y0, y1 });
  }
  for (const shard of shards) {
    const to = place.get(shard.ShardId);
    for (const parentId of [shard.ParentShardId, shard.AdjacentParentShardId]) {
      const from = place.get(parentId);
      if (!from) continue;
      const ya = (from.y0 + from.y1) / 2, yb = (to.y0 + to.y1) / 2;
      const xa = from.x + W, xb = to.x, mid = (xa + xb) / 2;
      picture.append(svg("path", {
        class: "edge", d: `M${xa},${ya} C${mid},${ya} ${mid},${yb} ${xb},${yb}`,
      }));
    }
  }
  for (const shard of shards) {
    const { x, y0, y1 } = place.get(shard.ShardId);
    const open = !shard.SequenceNumberRange?.EndingSequenceNumber;
    const height = Math.max(2, y1 - y0 - 2);
    const box = svg("a", { href: dataHref(stream, shard.ShardId),
                           "data-shard": shard.ShardId },
      svg("title", {}, `${shard.ShardId} (${open ? "open" : "closed"}): ` +
          `hash keys ${shard.HashKeyRange.StartingHashKey}–` +
          `${shard.HashKeyRange.EndingHashKey}`),
      svg("rect", { class: open ? "open" : "closed", x, y: y0 + 1, width: W,
                    height, rx: 4 }));
    if (height >= 14) {
      box.append(svg("text", { x: x + 6, y: y0 + Math.min(height / 2 + 5, 16) },
                     `${shard.ShardId}${open ? "" : " (closed)"}`));
    }
    picture.append(box);
  }
  picture.append(
    svg("text", { class: "axis", x: LEFT, y: TOP + H + 20 },
        "hash key 0 (top) to 2¹²⁸−1 (bottom); newer generations to the right"));
  return picture;
}

function percentOfKeyspace(range) {
  const span = BigInt(range.EndingHashKey) - BigInt(range.StartingHashKey) + 1n;
  return `${(Number((span * 100000n) / KEYSPACE) / 1000).toFixed(1)} %`;
}

// A stream: facts, lineage, shards with rates, consumers.
function streamView(stream) {
  crumbs(["Streams", "#/"], [stream]);
  const facts = el("dl", { class: "facts panel" });
  const lineage = el("div", { id: "lineage" });
  const shardsBody = el("tbody");
  const consumersBody = el("tbody");
  show(el("h1", {}, stream),
       facts,
       el("h2", {}, "Lineage"), lineage,
       el("h2", {}, "Shards"),
       el("table", { id: "shards" },
          el("thead", {}, el("tr", {}, ...["Shard", "State", "Hash key range",
             "Share", "Parents", "Writes", "Reads", "Reader lag", ""].map(
               (h, i) => el("th", { class: i >= 5 && i <= 7 ? "num" : undefined }, h)))),
          shardsBody),
       el("p", { class: "muted" },
          "Reader lag: how far behind the newest record the shard's last " +
          "GetRecords call was (MillisBehindLatest; CloudWatch's " +
          "IteratorAgeMilliseconds)."),
       el("h2", {}, "Consumers (enhanced fan-out)"),
       el("table", { id: "consumers" },
          el("thead", {}, el("tr", {}, ...["Name", "Status", "Registered",
             "Subscribed shards", "Lag", "ARN"].map(
            (h, i) => el("th", { class: i === 3 || i === 4 ? "num" : undefined }, h)))),
          consumersBody),
       el("p", { class: "muted" },
          "Lag: the largest MillisBehindLatest of the consumer's open " +
          "SubscribeToShard subscriptions, as last served."),
       el("h2", {}, "Application checkpoints"),
       checkpointsPanel(stream));
  every(REFRESH_MS, async () => {
    const [summaryAnswer, shards, perShard, brokerMetrics] = await Promise.all([
      call("DescribeStreamSummary", { StreamName: stream }),
      listShards(stream),
      rates.sample(stream),
      call(BROOK + "GetBrokerMetrics"),
    ]);
    const s = summaryAnswer.StreamDescriptionSummary;
    const consumers = await call("ListStreamConsumers", { StreamARN: s.StreamARN });
    clearError();
    const fact = (name, value) => [el("dt", {}, name), el("dd", {}, value)];
    facts.replaceChildren(
      ...fact("Status", s.StreamStatus),
      ...fact("Mode", s.StreamModeDetails?.StreamMode ?? "PROVISIONED"),
      ...fact("Open shards", String(s.OpenShardCount)),
      ...fact("Retention", `${s.RetentionPeriodHours} hours`),
      ...fact("Created", when(s.StreamCreationTimestamp)),
      ...fact("ARN", s.StreamARN),
      ...fact("Writes", `${rate(sum(perShard, "inRecords"))} · ${rate(sum(perShard, "inBytes"), "B")}`),
      ...fact("Reads", `${rate(sum(perShard, "outRecords"))} · ${rate(sum(perShard, "outBytes"), "B")}`));
    lineage.replaceChildren(lineagePicture(stream, shards));
    shardsBody.replaceChildren(...shards.map((shard) => {
      const open = !shard.SequenceNumberRange?.EndingSequenceNumber;
      const r = perShard[shard.ShardId] || {};
      return el("tr", { "data-shard": shard.ShardId },
        el("td", { class: "mono" }, shard.ShardId),
        el("td", { class: open ? "state-open" : "state-closed" }, open ? "open" : "closed"),
        el("td", { class: "mono" },
           `${shard.HashKeyRange.StartingHashKey} – ${shard.HashKeyRange.EndingHashKey}`),
        el("td", { class: "num" }, percentOfKeyspace(shard.HashKeyRange)),
        el("td", { class: "mono" },
           [shard.ParentShardId, shard.AdjacentParentShardId].filter(Boolean).join(", ") || "—"),
        el("td", { class: "num" }, `${rate(r.inRecords)} · ${rate(r.inBytes, "B")}`),
        el("td", { class: "num" }, `${rate(r.outRecords)} · ${rate(r.outBytes, "B")}`),
        el("td", { class: "num" }, millis(r.iteratorAge)),
        el("td", {}, link(dataHref(stream, shard.ShardId), "Data")));
    }));
    const list = consumers.Consumers || [];
    const lags = (brokerMetrics.ConsumerLag || []).filter((l) => l.StreamName === stream);
    consumersBody.replaceChildren(...(list.length ? list.map((c) => {
      const mine = lags.filter((l) => l.ConsumerName === c.ConsumerName);
      const lag = mine.length ? Math.max(...mine.map((l) => l.MillisBehindLatest)) : undefined;
      return el("tr", { "data-consumer": c.ConsumerName },
        el("td", {}, c.ConsumerName),
        el("td", { class: `status-${c.ConsumerStatus}` }, c.ConsumerStatus),
        el("td", {}, when(c.ConsumerCreationTimestamp)),
        el("td", { class: "num" }, String(mine.length)),
        el("td", { class: "num" }, millis(lag)),
        el("td", { class: "mono" }, c.ConsumerARN));
    }) :
      [el("tr", {}, el("td", { colspan: 6, class: "muted" },
          "None registered (RegisterStreamConsumer)."))]));
  });
}

// An application's checkpoints (Brook's GetCheckpoints: a Worker's or
// KCL-style application's progress) and how far behind each is: the
// MillisBehindLatest of a one-record read just after the checkpoint. Run on
// request only, since each read counts against the shard's read limits
// and becomes its IteratorAgeMilliseconds.
function checkpointsPanel(stream) {
  const name = el("input", { name: "application", placeholder: "application name" });
  const check = el("button", { type: "submit" }, "Show lag");
  const body = el("tbody");
  const note = el("p", { class: "muted" });
  const form = el("form", { class: "controls", id: "checkpoints-form" },
    el("label", {}, "Application", name), check);
  const lagOf = async (checkpoint) => {
    if (checkpoint.ShardEnd) return "finished (shard end)";
    const { ShardIterator } = await callPatiently("GetShardIterator", {
      StreamName: stream, ShardId: checkpoint.ShardId,
      ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
      StartingSequenceNumber: checkpoint.SequenceNumber,
    });
    const answer = await callPatiently("GetRecords", { ShardIterator, Limit: 1 });
    const next = (answer.Records || [])[0];
    if (!next) return "caught up";
    return `records to process from ${when(next.ApproximateArrivalTimestamp)} on; ` +
           `the first is ${millis(answer.MillisBehindLatest ?? 0)} behind the newest`;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    body.replaceChildren();
    note.textContent = "Reading…";
    try {
      const answer = await call(BROOK + "GetCheckpoints",
        { StreamName: stream, ApplicationName: name.value.trim() });
      const checkpoints = answer.Checkpoints || [];
      const lags = await Promise.all(checkpoints.map(lagOf));
      body.replaceChildren(...checkpoints.map((c, i) => el("tr", { "data-shard": c.ShardId },
        el("td", { class: "mono" }, c.ShardId),
        el("td", { class: "mono" }, c.ShardEnd ? "SHARD_END" : c.SequenceNumber),
        el("td", {}, lags[i]))));
      note.textContent = checkpoints.length
        ? "Each checkpoint's lag is read on request: one GetRecords of the record after it."
        : "This application has no checkpoints in this stream.";
    } catch (error) {
      note.textContent = "";
      if (!signingIn) showError(error);
    }
  });
  return el("div", {}, form,
    el("table", { id: "checkpoints" },
       el("thead", {}, el("tr", {}, ...["Shard", "Checkpoint", "Lag"].map((h) => el("th", {}, h)))),
       body),
    note);
}

// --- The data viewer -------------------------------------------------------

function decodeBase64(text) {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

// A record's data as the chosen format, in a <pre> (text only). `data`
// holds at most the first MAX_SHOWN_BYTES of the record's `size` bytes.
function renderData(data, size, format) {
  const pre = el("pre", { class: "data" });
  if (format === "hex") {
    pre.classList.add("hex");
    const shown = data.subarray(0, MAX_HEX_BYTES);
    const lines = [];
    for (let offset = 0; offset < shown.length; offset += 16) {
      const row = shown.subarray(offset, offset + 16);
      const hexPart = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
      const ascii = Array.from(row, (b) => b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".").join("");
      lines.push(`${offset.toString(16).padStart(8, "0")}  ${hexPart.padEnd(47)}  ${ascii}`);
    }
    pre.textContent = lines.join("\n");
    if (size > shown.length) pre.append(el("span", { class: "note" }, `\n… ${size - shown.length} more bytes`));
    return pre;
  }
  // Control characters as their visible pictures (U+2400...), but for
  // tabs and line breaks.
  const text = utf8.decode(data.subarray(0, MAX_SHOWN_BYTES)).replace(
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g,
    (c) => String.fromCharCode(c === "\u007f" ? 0x2421 : 0x2400 + c.charCodeAt(0)));
  if (format === "json") {
    try {
      if (size > data.length) throw new Error("too long");
      pre.textContent = JSON.stringify(JSON.parse(text), null, 2);
      return pre;
    } catch {
      pre.append(el("span", { class: "note" }, "not JSON, shown as text: "));
    }
  }
  pre.append(text);
  if (size > data.length) {
    pre.append(el("span", { class: "note" }, `\n… ${size - data.length} more bytes`));
  }
  return pre;
}

// How far back "newest" looks for records: the first window that holds a
// full page is read to its end, keeping the last MAX_ROWS.
const NEWEST_WINDOWS_S = [60, 600, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600, 365 * 24 * 3600];

function dataView(stream, shardId) {
  crumbs(["Streams", "#/"], [stream, streamHref(stream)], [shardId]);
  const shardSelect = el("select", { name: "shard" });
  const position = el("select", { name: "position" },
    el("option", { value: "newest" }, "Newest records"),
    el("option", { value: "TRIM_HORIZON" }, "From the oldest (trim horizon)"),
    el("option", { value: "AT_TIMESTAMP" }, "From a time"),
    el("option", { value: "AT_SEQUENCE_NUMBER" }, "From a sequence number"));
  const timestamp = el("input", { name: "timestamp", type: "datetime-local", step: "1" });
  const sequence = el("input", { name: "sequence", class: "mono", size: "30",
                                 placeholder: "sequence number" });
  const format = el("select", { name: "format" },
    el("option", { value: "text" }, "Text"),
    el("option", { value: "json" }, "JSON"),
    el("option", { value: "hex" }, "Hex"));
  const follow = el("input", { name: "follow", type: "checkbox", checked: "" });
  const start = el("button", { type: "button", name: "start" }, "Read");
  const status = el("p", { class: "muted", id: "reader-status" });
  const body = el("tbody");
  const records = [];  // {record, data, row}, oldest first.

  const render = () => body.replaceChildren(...records.map((r) => r.row = rowOf(r)));
  const rowOf = ({ record, data, size }) => el("tr", { "data-sequence": record.SequenceNumber },
    el("td", { class: "mono" }, record.SequenceNumber),
    el("td", {}, when(record.ApproximateArrivalTimestamp)),
    el("td", { class: "mono partition-key" }, record.PartitionKey),
    el("td", { class: "num" }, String(size)),
    el("td", { class: "record-data" }, renderData(data, size, format.value)));
  format.addEventListener("change", render);

  show(el("h1", {}, `Data viewer: ${stream}`),
       el("div", { class: "controls panel" },
          el("label", {}, "Shard", shardSelect),
          el("label", {}, "Start", position),
          el("label", {}, "Time (local)", timestamp),
          el("label", {}, "Sequence number", sequence),
          el("label", {}, "Show as", format),
          el("label", {}, "Follow live", follow),
          start),
       status,
       el("table", { id: "records" },
          el("thead", {}, el("tr", {}, ...["Sequence number", "Arrival", "Partition key",
            "Bytes", "Data"].map((h, i) => el("th", { class: i === 3 ? "num" : undefined }, h)))),
          body));

  const add = (list) => {
    for (const record of list) {
      // Only what can be shown is kept: memory stays bounded by MAX_ROWS
      // whatever the records' sizes.
      const bytes = decodeBase64(record.Data);
      delete record.Data;
      const entry = { record, data: bytes.slice(0, MAX_SHOWN_BYTES), size: bytes.length };
      entry.row = rowOf(entry);
      records.push(entry);
      body.append(entry.row);
    }
    while (records.length > MAX_ROWS) records.shift().row.remove();
  };

  // Reads from `iterator` until caught up (then, following, polls), or
  // until the shard ends; `mine` stops it when the view or reader changes.
  const read = async (iterator, mine, shards) => {
    let scanned = 0;
    while (iterator && mine === readerGeneration) {
      const answer = await callPatiently("GetRecords", { ShardIterator: iterator, Limit: 1000 });
      if (mine !== readerGeneration) return;
      add(answer.Records || []);
      scanned += (answer.Records || []).length;
      iterator = answer.NextShardIterator;
      const behind = answer.MillisBehindLatest ?? 0;
      if (!iterator) {
        const children = shards.filter((s) => s.ParentShardId === shardId ||
                                              s.AdjacentParentShardId === shardId);
        status.replaceChildren(`The shard is closed (${scanned} records read). Its children: `,
          ...children.flatMap((c, i) => [i ? ", " : "", link(dataHref(stream, c.ShardId), c.ShardId)]));
        return;
      }
      if (behind > 0 || (answer.Records || []).length > 0) {
        status.textContent = `Reading… ${scanned} records read, ${millis(behind)} behind the newest.`;
        continue;
      }
      if (!follow.checked) {
        status.textContent = `Caught up: ${scanned} records read; showing the last ${Math.min(records.length, MAX_ROWS)}.`;
        return;
      }
      status.textContent = `Following: ${scanned} records read; waiting for new ones.`;
      await sleep(FOLLOW_MS);
    }
  };

  const iteratorFor = async (type, extra = {}) =>
    (await callPatiently("GetShardIterator",
      { StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra })).ShardIterator;

  // "Newest": the whole shard if it holds less than a page, else the
  // narrowest window back from now that fills one.
  const newestIterator = async (mine) => {
    const oldest = await iteratorFor("TRIM_HORIZON");
    const all = await callPatiently("GetRecords", { ShardIterator: oldest, Limit: MAX_ROWS });
    if ((all.Records || []).length < MAX_ROWS && (all.MillisBehindLatest ?? 0) === 0) {
      return iteratorFor("TRIM_HORIZON");
    }
    for (const seconds of NEWEST_WINDOWS_S) {
      const iterator = await iteratorFor("AT_TIMESTAMP", { Timestamp: Date.now() / 1000 - seconds });
      const probe = await callPatiently("GetRecords", { ShardIterator: iterator, Limit: MAX_ROWS });
      if (mine !== readerGeneration) return null;
      if ((probe.Records || []).length >= MAX_ROWS || (probe.MillisBehindLatest ?? 0) > 0) {
        return iterator;
      }
    }
    return iteratorFor("TRIM_HORIZON");
  };

  let readerGeneration = 0;
  const begin = async () => {
    const mine = ++readerGeneration;
    const viewGeneration = generation;
    records.length = 0;
    body.replaceChildren();
    clearError();
    status.textContent = "Starting…";
    try {
      const shards = await listShards(stream);
      let iterator;
      if (position.value === "newest") {
        iterator = await newestIterator(mine);
      } else if (position.value === "AT_TIMESTAMP") {
        const at = new Date(timestamp.value);
        if (isNaN(at)) throw new ApiError("Console", "choose a time");
        iterator = await iteratorFor("AT_TIMESTAMP", { Timestamp: at.getTime() / 1000 });
      } else if (position.value === "AT_SEQUENCE_NUMBER") {
        iterator = await iteratorFor("AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequence.value.trim() });
      } else {
        iterator = await iteratorFor("TRIM_HORIZON");
      }
      if (viewGeneration !== generation) return;
      await read(iterator, mine, shards);
    } catch (error) {
      if (mine === readerGeneration && viewGeneration === generation && !signingIn) {
        status.textContent = "";
        showError(error);
      }
    }
  };
  // A view change stops the reader too.
  const stopReader = () => { readerGeneration++; };
  const watch = generation;
  const stopWhenLeft = setInterval(() => {
    if (watch !== generation) { stopReader(); clearInterval(stopWhenLeft); }
  }, 500);

  start.addEventListener("click", begin);
  listShards(stream).then((shards) => {
    shardSelect.replaceChildren(...shards.map((s) => el("option", {
      value: s.ShardId, selected: s.ShardId === shardId ? "" : undefined },
      s.ShardId + (s.SequenceNumberRange?.EndingSequenceNumber ? " (closed)" : ""))));
    shardSelect.addEventListener("change", () => {
      location.hash = dataHref(stream, shardSelect.value);
    });
    begin();
  }).catch((error) => { if (!signingIn) showError(error); });
}

// --- Routing ---------------------------------------------------------------

function route() {
  if (signingIn) return;
  stopAll();
  let parts;
  try {
    parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  } catch {
    parts = [];  // A malformed link: the streams page.
  }
  if (parts[0] === "stream" && parts[1]) {
    streamView(parts[1]);
  } else if (parts[0] === "data" && parts[1] && parts[2]) {
    dataView(parts[1], parts[2]);
  } else {
    streamsView();
  }
}

window.addEventListener("hashchange", route);
showIdentity();
route();

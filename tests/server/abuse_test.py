"""brookd under abusive clients: memory stays within its budget, legitimate
clients keep being served, and a stalled subscriber holds up only itself.

Starts brookd, then, one scenario at a time, while a legitimate client keeps
calling it:
  unfinished bodies   connections announce a 15 MiB body and send most of it
                      as fast as brookd reads, never finishing;
  trickled bodies     connections announce a 15 MiB body and send it at
                      256 bytes a second;
  complete bodies     clients send whole 15 MiB bodies, twice each;
  slow connections    more connections than --max_connections, each sending
                      its request line a byte every few seconds;
  stalled readers     SubscribeToShard connections that never read, beside a
                      subscriber that does.
It samples brookd's resident memory throughout and prints one line per
scenario (the figures docs/reliability.md reports).

Usage: abuse_test.py PATH_TO_BROOKD [--baseline] [--unfinished-seconds=S]
  --baseline  run against a brookd without the budget flags and only report
              (no assertions), to measure a build from before the limits;
  --unfinished-seconds  how long the unfinished bodies are sent (8).

Only Debian's python3 standard library; every connection is to 127.0.0.1,
every loop is bounded in count and time.
"""

import argparse
import http.client
import json
import re
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

MIB = 1 << 20
BODY_BYTES = 15 * MIB
BUDGET_MIB = 64
# What brookd needs beside the request bodies it holds: the process itself
# (about 20 MiB idle: RocksDB, threads, the fan-out), and the operations
# running on the bodies the budget admits (the parsed JSON and the decoded
# records: up to about twice the body).
ALLOWANCE_MIB = 64 + 2 * BUDGET_MIB
TARGET = "Kinesis_20131202."


class Brookd:
    """A brookd on a fresh data directory and a free port."""

    def __init__(self, path, flags):
        self.data_dir = tempfile.mkdtemp(prefix="brookd-abuse-")
        self.process = subprocess.Popen(
            [path, "--data_dir=" + self.data_dir, "--port=0",
             "--limits=unlimited"] + flags,
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError("brookd did not start: " + line)
        self.port = int(match.group(1))

    def rss_mib(self):
        with open("/proc/%d/status" % self.process.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
        raise RuntimeError("no VmRSS")

    def stop(self):
        self.process.terminate()
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        return code


class Background:
    """Runs self._run() on a thread while in a `with`; _run() returns when
    self.stopping is set."""

    def __init__(self):
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *unused):
        self.stopping.set()
        self.thread.join()


class RssSampler(Background):
    """Samples brookd's resident memory every 50 ms."""

    def __init__(self, brookd):
        super().__init__()
        self.brookd = brookd
        self.peak = 0.0

    def _run(self):
        while not self.stopping.is_set():
            self.peak = max(self.peak, self.brookd.rss_mib())
            time.sleep(0.05)


def call(port, operation, body, timeout=10):
    """One API call on a fresh connection: (HTTP status, parsed body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port,
                                            timeout=timeout)
    try:
        connection.request("POST", "/", json.dumps(body), {
            "X-Amz-Target": TARGET + operation,
            "Content-Type": "application/x-amz-json-1.1"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


class LegitimateClient(Background):
    """Puts a small record every 0.2 s, each on a fresh connection; counts
    the calls that succeeded and failed, and the slowest."""

    def __init__(self, port, stream):
        super().__init__()
        self.port = port
        self.stream = stream
        self.ok = 0
        self.failed = 0
        self.slowest = 0.0

    def _run(self):
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                status, _ = call(self.port, "PutRecord", {
                    "StreamName": self.stream, "PartitionKey": "k",
                    "Data": "aGVsbG8="})
                good = status == 200
            except (OSError, http.client.HTTPException, ValueError):
                good = False
            self.slowest = max(self.slowest, time.monotonic() - started)
            if good:
                self.ok += 1
            else:
                self.failed += 1
            self.stopping.wait(0.2)


def request_head(content_length):
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Amz-Target: " + TARGET.encode() + b"PutRecords\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\n"
            b"Content-Length: %d\r\n\r\n" % content_length)


def open_connections(port, count):
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        sock.connect(("127.0.0.1", port))
        sock.setblocking(False)
        sockets.append(sock)
    return sockets


def pump(sockets, payload_for, seconds):
    """Writes payload_for(sock, sent) to each socket as fast as brookd takes
    it, for `seconds`; a socket brookd closed or that returns b"" drops out.
    Returns the bytes sent."""
    selector = selectors.DefaultSelector()
    sent = {}
    for sock in sockets:
        selector.register(sock, selectors.EVENT_WRITE)
        sent[sock] = 0
    deadline = time.monotonic() + seconds
    while sent and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            sock = key.fileobj
            chunk = payload_for(sock, sent[sock])
            try:
                written = sock.send(chunk) if chunk else 0
            except OSError:
                written = -1
            if written <= 0:
                selector.unregister(sock)
                del sent[sock]
                continue
            sent[sock] += written
    selector.close()
    return sum(sent.values())


def close_all(sockets):
    for sock in sockets:
        sock.close()


def unfinished_bodies(brookd, connections, seconds):
    """Each connection announces 15 MiB and sends all but the last byte."""
    head = request_head(BODY_BYTES)
    filler = b"x" * (256 * 1024)
    sockets = open_connections(brookd.port, connections)

    def payload(unused, sent):
        if sent < len(head):
            return head[sent:]
        left = len(head) + BODY_BYTES - 1 - sent
        return filler[:left] if left > 0 else b""

    pump(sockets, payload, seconds)
    return sockets


def trickled_bodies(brookd, connections, seconds):
    """Each connection announces 15 MiB and sends 64 bytes every 0.25 s."""
    head = request_head(BODY_BYTES)
    sockets = open_connections(brookd.port, connections)
    for sock in sockets:
        sock.setblocking(True)
        sock.settimeout(1)
        sock.sendall(head)
    deadline = time.monotonic() + seconds
    alive = list(sockets)
    while alive and time.monotonic() < deadline:
        for sock in list(alive):
            try:
                sock.send(b"y" * 64)
            except OSError:
                alive.remove(sock)
        time.sleep(0.25)
    return sockets, len(alive)


def complete_bodies(brookd, clients, rounds):
    """Clients each send `rounds` whole 15 MiB bodies (valid JSON, which
    brookd parses and refuses); returns the HTTP statuses."""
    body = (b'{"StreamName":"abuse","Records":[],"Padding":"'
            + b"z" * (BODY_BYTES - 64) + b'"}')
    statuses = []
    lock = threading.Lock()

    def one_client():
        for _ in range(rounds):
            connection = http.client.HTTPConnection("127.0.0.1", brookd.port,
                                                    timeout=60)
            try:
                connection.request("POST", "/", body, {
                    "X-Amz-Target": TARGET + "PutRecords",
                    "Content-Type": "application/x-amz-json-1.1"})
                status = connection.getresponse().status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                connection.close()
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def slow_connections(brookd, connections, seconds):
    """Opens `connections` connections that send their request line a byte
    every two seconds; meanwhile makes one API call a second on a fresh
    connection. Returns (calls that succeeded, calls made)."""
    sockets = []
    for _ in range(connections):
        sock = socket.socket()
        sock.settimeout(2)
        try:
            sock.connect(("127.0.0.1", brookd.port))
            sock.send(b"P")
        except OSError:
            pass
        sockets.append(sock)
    succeeded = made = 0
    deadline = time.monotonic() + seconds
    next_byte = time.monotonic() + 2
    while time.monotonic() < deadline:
        if time.monotonic() >= next_byte:
            for sock in sockets:
                try:
                    sock.send(b"O")
                except OSError:
                    pass
            next_byte += 2
        made += 1
        try:
            status, _ = call(brookd.port, "ListStreams", {}, timeout=5)
            succeeded += status == 200
        except (OSError, http.client.HTTPException, ValueError):
            pass
        time.sleep(1)
    close_all(sockets)
    return succeeded, made


def event_stream_messages(buffer):
    """Splits complete event stream messages off `buffer`: (events, rest),
    each event (event type, JSON payload)."""
    events = []
    while len(buffer) >= 12:
        total, headers_length = struct.unpack(">II", buffer[:8])
        if len(buffer) < total:
            break
        headers = buffer[12:12 + headers_length]
        payload = buffer[12 + headers_length:total - 4]
        event_type = None
        at = 0
        while at < len(headers):
            name_length = headers[at]
            name = headers[at + 1:at + 1 + name_length].decode()
            at += 1 + name_length + 1  # Name, then value type 7 (string).
            (value_length,) = struct.unpack(">H", headers[at:at + 2])
            value = headers[at + 2:at + 2 + value_length].decode()
            at += 2 + value_length
            if name == ":event-type":
                event_type = value
        events.append((event_type, payload))
        buffer = buffer[total:]
    return events, buffer


def subscribe(port, consumer_arn, shard_id, receive_buffer=None):
    """Opens a SubscribeToShard connection and returns its socket, positioned
    after the response headers (chunked event stream follows)."""
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", port))
    body = json.dumps({"ConsumerARN": consumer_arn, "ShardId": shard_id,
                       "StartingPosition": {"Type": "LATEST"}}).encode()
    sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"X-Amz-Target: " + TARGET.encode() + b"SubscribeToShard\r\n"
                 b"Content-Type: application/x-amz-json-1.1\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return sock


class ChunkedReader:
    """Reads an HTTP/1.1 chunked response's body from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.raw = b""
        self.body = b""
        self.in_body = False

    def read(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(1 << 20)
        except socket.timeout:
            return True
        if not data:
            return False
        self.raw += data
        if not self.in_body:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return True
            if not self.raw.startswith(b"HTTP/1.1 200"):
                raise RuntimeError("subscription refused: %r" % self.raw[:200])
            self.raw = self.raw[end + 4:]
            self.in_body = True
        while True:
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                return True
            size = int(self.raw[:line_end].split(b";")[0], 16)
            if len(self.raw) < line_end + 2 + size + 2:
                return True
            self.body += self.raw[line_end + 2:line_end + 2 + size]
            self.raw = self.raw[line_end + 2 + size + 2:]
            if size == 0:
                return False


def stalled_readers(brookd, stalled, seconds):
    """`stalled` subscriptions to busy shards that never read, and one to a
    quiet shard that does: returns the largest delay between a put to the
    quiet shard and its event, and the number of events it got."""
    port = brookd.port
    shards = stalled + 1
    call(port, "CreateStream", {"StreamName": "fanout", "ShardCount": shards})
    for _ in range(100):
        status, summary = call(port, "DescribeStreamSummary",
                               {"StreamName": "fanout"})
        if summary["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    arn = summary["StreamDescriptionSummary"]["StreamARN"]
    status, consumer = call(port, "RegisterStreamConsumer",
                            {"StreamARN": arn, "ConsumerName": "abuse"})
    consumer_arn = consumer["Consumer"]["ConsumerARN"]
    _, shard_list = call(port, "ListShards", {"StreamName": "fanout"})
    shard_ids = [shard["ShardId"] for shard in shard_list["Shards"]]
    # Explicit hash keys put each record on the shard we mean.
    starts = [int(shard["HashKeyRange"]["StartingHashKey"])
              for shard in shard_list["Shards"]]
    stalled_sockets = [subscribe(port, consumer_arn, shard_id, 4096)
                       for shard_id in shard_ids[:stalled]]
    healthy = ChunkedReader(subscribe(port, consumer_arn, shard_ids[-1]))
    time.sleep(0.5)  # Subscribed from LATEST.
    big = "eHh4" * (256 * 1024)  # 768 KiB per record, in base64.
    delays = []
    received = 0
    deadline = time.monotonic() + seconds
    buffer = b""
    while time.monotonic() < deadline:
        # Fill the stalled readers' shards...
        for start in starts[:stalled]:
            status, _ = call(port, "PutRecords", {
                "StreamName": "fanout", "Records": [
                    {"PartitionKey": "k", "ExplicitHashKey": str(start),
                     "Data": big} for _ in range(4)]}, timeout=30)
            assert status == 200, "PutRecords failed"
        # ...then time one record through the healthy subscription.
        put_at = time.monotonic()
        call(port, "PutRecord", {"StreamName": "fanout", "PartitionKey": "k",
                                 "ExplicitHashKey": str(starts[-1]),
                                 "Data": "cGluZw=="})
        got = False
        while not got and time.monotonic() - put_at < 5:
            if not healthy.read(0.1):
                break
            events, healthy.body = event_stream_messages(healthy.body)
            for event_type, payload in events:
                if event_type == "SubscribeToShardEvent":
                    records = json.loads(payload)["Records"]
                    if records:
                        received += len(records)
                        got = True
        delays.append(time.monotonic() - put_at)
    close_all(stalled_sockets)
    healthy.sock.close()
    return max(delays), received, len(delays)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("brookd")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--unfinished-seconds", type=float, default=8)
    args = parser.parse_args()
    flags = [] if args.baseline else [
        "--max_buffered_request_mib=%d" % BUDGET_MIB,
        "--header_timeout_s=3", "--write_timeout_s=5"]
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)
            print("  FAILED: " + message, flush=True)

    def report(name, sampler, brookd, legit, extra=""):
        print("%-20s peak %6.0f MiB, after %6.0f MiB; legitimate calls "
              "%d ok, %d failed, slowest %.2f s%s" % (
                  name, sampler.peak, brookd.rss_mib(), legit.ok,
                  legit.failed, legit.slowest, extra), flush=True)
        if not args.baseline:
            check(sampler.peak < BUDGET_MIB + ALLOWANCE_MIB,
                  "%s: peak %.0f MiB over %d MiB" % (
                      name, sampler.peak, BUDGET_MIB + ALLOWANCE_MIB))
            check(legit.failed == 0 and legit.ok > 0,
                  "%s: legitimate calls failed" % name)

    brookd = Brookd(args.brookd, flags)
    try:
        call(brookd.port, "CreateStream",
             {"StreamName": "legit", "ShardCount": 1})
        time.sleep(0.5)
        idle = brookd.rss_mib()
        print("%-20s %6.0f MiB" % ("idle", idle), flush=True)

        with RssSampler(brookd) as sampler, \
                LegitimateClient(brookd.port, "legit") as legit:
            sockets = unfinished_bodies(brookd, 300, args.unfinished_seconds)
            time.sleep(1)
        close_all(sockets)
        time.sleep(2)
        report("unfinished bodies", sampler, brookd, legit)

        with RssSampler(brookd) as sampler, \
                LegitimateClient(brookd.port, "legit") as legit:
            sockets, alive = trickled_bodies(brookd, 300, 16)
        close_all(sockets)
        report("trickled bodies", sampler, brookd, legit,
               "; %d of 300 still open after 16 s" % alive)
        if not args.baseline:
            check(alive == 0, "trickled bodies were not cut off")

        with RssSampler(brookd) as sampler, \
                LegitimateClient(brookd.port, "legit") as legit:
            statuses = complete_bodies(brookd, 64, 2)
            time.sleep(2)
        report("complete bodies", sampler, brookd, legit,
               "; answers %s" % sorted(set(statuses)))
        if not args.baseline:
            check(brookd.rss_mib() < idle + BUDGET_MIB,
                  "memory not returned after the complete bodies")

        with RssSampler(brookd) as sampler:
            succeeded, made = slow_connections(brookd, 520, 12)
        print("%-20s peak %6.0f MiB; %d of %d calls succeeded beside 520 slow "
              "connections" % ("slow connections", sampler.peak, succeeded,
                               made), flush=True)
        if not args.baseline:
            check(succeeded >= made - 1,
                  "slow connections crowded out calls")

        with RssSampler(brookd) as sampler:
            delay, received, rounds = stalled_readers(brookd, 2, 15)
        print("%-20s peak %6.0f MiB; healthy subscriber got %d of %d records, "
              "slowest %.2f s" % ("stalled readers", sampler.peak, received,
                                  rounds, delay), flush=True)
        if not args.baseline:
            check(received == rounds and delay < 1.0,
                  "stalled subscribers delayed another by %.2f s" % delay)
    finally:
        code = brookd.stop()
    if not args.baseline:
        check(code == 0, "brookd exited with %d" % code)
    if failures:
        print("abuse test: %d failed" % len(failures))
        return 1
    print("abuse test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""brookd's HTTP/2 and TLS at the protocol level, with python3-h2 as the
client and a brookd started by the test: the first bytes of a connection
pick its protocol (h2c with prior knowledge, from python3-h2 and from
curl, TLS with and without ALPN, HTTP/1.1 beside them), and HTTP/2 keeps every bound HTTP/1.1 has: stream
count, header list size, frame size, a stream whose reader stops, GOAWAY
on shutdown, and SubscribeToShard as an event stream on its own stream.

Usage: http2_test.py PATH_TO_BROOKD
"""

import base64
import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

BROOKD = None
TARGET = "Kinesis_20131202."
JSON = "application/x-amz-json-1.1"


class Brookd:
    """A brookd on a fresh directory, with a self-signed TLS pair."""

    def __init__(self, *flags):
        self.dir = tempfile.mkdtemp(prefix="brookd-h2-")
        self.cert = os.path.join(self.dir, "cert.pem")
        self.process = subprocess.Popen(
            [BROOKD, "--data_dir=" + os.path.join(self.dir, "data"),
             "--port=0", "--tls_self_signed", "--tls_cert=" + self.cert,
             "--tls_key=" + os.path.join(self.dir, "key.pem")] + list(flags),
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError("brookd did not start: " + line)
        self.port = int(match.group(1))

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def plain_socket(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def tls_socket(brookd, alpn):
    context = ssl.create_default_context(cafile=brookd.cert)
    if alpn:
        context.set_alpn_protocols(alpn)
    return context.wrap_socket(plain_socket(brookd.port),
                               server_hostname="localhost")


class Client:
    """One HTTP/2 connection, driven by hand."""

    def __init__(self, sock, window=None):
        self.sock = sock
        config = h2.config.H2Configuration(client_side=True,
                                           header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config)
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings(
                {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.flush()
        self.responses = {}   # stream id -> {"headers", "data", "ended"}
        self.resets = {}      # stream id -> error code
        self.goaway = None    # error code
        self.closed = False

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, operation, body, extra_headers=(), end=True,
                method="POST", path="/"):
        stream_id = self.conn.get_next_available_stream_id()
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = [(":method", method), (":path", path), (":scheme", "http"),
                   (":authority", "localhost")]
        if operation:
            headers += [("x-amz-target", TARGET + operation),
                        ("content-type", JSON),
                        ("content-length", str(len(payload)))]
        headers += list(extra_headers)
        self.conn.send_headers(stream_id, headers,
                               end_stream=end and not payload)
        if payload and end:
            self.send_body(stream_id, payload)
        self.flush()
        self.responses[stream_id] = {"headers": {}, "data": b"",
                                     "ended": False}
        return stream_id

    def send_body(self, stream_id, payload):
        # Within the windows the server grants; waits for more as needed.
        while payload:
            room = min(self.conn.local_flow_control_window(stream_id),
                       self.conn.max_outbound_frame_size, len(payload))
            if room == 0:
                self.flush()
                self.pump(lambda: self.conn.local_flow_control_window(
                    stream_id) > 0 or stream_id in self.resets)
                if stream_id in self.resets:
                    return
                continue
            self.conn.send_data(stream_id, payload[:room],
                                end_stream=room == len(payload))
            payload = payload[room:]
        self.flush()

    def pump(self, done, timeout=20, acknowledge=True):
        """Reads until done() or the timeout; returns done()."""
        deadline = time.time() + timeout
        while not done():
            left = deadline - time.time()
            if left <= 0 or self.closed:
                return done()
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLError, ConnectionError):
                return done()
            if not data:
                self.closed = True
                return done()
            try:
                events = self.conn.receive_data(data)
            except h2.exceptions.ProtocolError:
                # h2 refuses frames after a GOAWAY (streams the server
                # still finishes), and loses the batch's events with them.
                if self.conn.state_machine.state != \
                        h2.connection.ConnectionState.CLOSED:
                    raise
                self.goaway = self.goaway or "GOAWAY"
                events = []
            for event in events:
                self.on_event(event, acknowledge)
            self.flush()
        return True

    def on_event(self, event, acknowledge):
        if isinstance(event, h2.events.ResponseReceived):
            self.responses[event.stream_id]["headers"] = dict(event.headers)
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id]["data"] += event.data
            if acknowledge:
                self.conn.acknowledge_received_data(
                    event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id]["ended"] = True
        elif isinstance(event, h2.events.StreamReset):
            self.resets[event.stream_id] = event.error_code
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = event.error_code

    def answer(self, stream_id, timeout=20):
        """Waits for the stream's whole response: (status, body)."""
        response = self.responses[stream_id]
        self.pump(lambda: response["ended"] or stream_id in self.resets,
                  timeout)
        return int(response["headers"].get(":status", 0)), response["data"]

    def call(self, operation, body):
        status, data = self.answer(self.request(operation, body))
        return status, json.loads(data) if data else None


def call_json(brookd, operation, body):
    client = Client(plain_socket(brookd.port))
    return client.call(operation, body)


class ProtocolTest(unittest.TestCase):
    brookd = None

    @classmethod
    def setUpClass(cls):
        cls.brookd = Brookd("--write_timeout_s=2",
                            "--max_streams_per_connection=4",
                            "--limits=unlimited")
        status, _ = call_json(cls.brookd, "CreateStream",
                              {"StreamName": "h2", "ShardCount": 2})
        assert status == 200, status

    @classmethod
    def tearDownClass(cls):
        assert cls.brookd.stop() == 0, "brookd did not stop cleanly"

    def test_h2c_with_prior_knowledge(self):
        status, body = call_json(self.brookd, "ListStreams", {})
        self.assertEqual(status, 200)
        self.assertIn("h2", body["StreamNames"])

    def test_curl_with_http2_prior_knowledge(self):
        # An independent HTTP/2 client (libcurl over nghttp2), h2c as the
        # JavaScript SDK v3 speaks it over http://.
        if shutil.which("curl") is None:
            self.skipTest("no curl")
        out = subprocess.run(
            ["curl", "-sS", "--http2-prior-knowledge", "-o", "-",
             "-w", "\n%{http_version} %{http_code}",
             "-H", "X-Amz-Target: " + TARGET + "ListStreams",
             "-H", "Content-Type: " + JSON, "--data-binary", "{}",
             "http://127.0.0.1:%d/" % self.brookd.port],
            capture_output=True, text=True, timeout=30, check=True).stdout
        body, status = out.rsplit("\n", 1)
        self.assertEqual(status, "2 200")
        self.assertIn("h2", json.loads(body)["StreamNames"])

    def test_tls_with_alpn_h2(self):
        sock = tls_socket(self.brookd, ["h2", "http/1.1"])
        self.assertEqual(sock.selected_alpn_protocol(), "h2")
        status, body = Client(sock).call("ListStreams", {})
        self.assertEqual((status, "h2" in body["StreamNames"]), (200, True))

    def test_tls_without_alpn_starts_http2_from_its_preface(self):
        # As the Java SDK's Netty client does over https://.
        sock = tls_socket(self.brookd, None)
        self.assertIsNone(sock.selected_alpn_protocol())
        status, _ = Client(sock).call("ListStreams", {})
        self.assertEqual(status, 200)

    def test_http1_beside_http2_on_one_port(self):
        for sock in (plain_socket(self.brookd.port),
                     tls_socket(self.brookd, ["http/1.1"]),
                     tls_socket(self.brookd, None)):
            body = b"{}"
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " +
                TARGET.encode() + b"ListStreams\r\nContent-Type: " +
                JSON.encode() + b"\r\nContent-Length: 2\r\n"
                b"Connection: close\r\n\r\n" + body)
            reply = b""
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data
            self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:80])

    def test_errors_are_kinesis_shaped(self):
        status, body = call_json(self.brookd, "DescribeStreamSummary",
                                 {"StreamName": "absent"})
        self.assertEqual((status, body["__type"]),
                         (400, "ResourceNotFoundException"))
        client = Client(plain_socket(self.brookd.port))
        status, _ = client.answer(client.request(None, b"", method="GET",
                                                 path="/other"))
        self.assertEqual(status, 403)

    def test_streams_beyond_the_limit_end_the_connection(self):
        client = Client(plain_socket(self.brookd.port))
        client.pump(lambda: client.conn.remote_settings.max_concurrent_streams
                    == 4, timeout=5)
        self.assertEqual(client.conn.remote_settings.max_concurrent_streams, 4)
        # Four streams open, their bodies held back, are served...
        ids = [client.request("PutRecord", b"{}", end=False)
               for _ in range(4)]
        client.pump(lambda: False, timeout=0.5)
        self.assertEqual((client.resets, client.goaway), ({}, None))
        # ...and a fifth, past the acknowledged setting, is a connection
        # error (RFC 9113 section 5.1.2). h2 itself refuses to open it, so
        # the limit is lifted on the client side.
        settings = client.conn.remote_settings
        settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = 100
        settings.acknowledge()
        client.request("PutRecord", b"{}", end=False)
        client.pump(lambda: client.goaway is not None, timeout=10)
        self.assertEqual(client.goaway, h2.errors.ErrorCodes.PROTOCOL_ERROR)
        del ids

    def test_a_header_list_over_the_limit_gets_431(self):
        client = Client(plain_socket(self.brookd.port))
        stream = client.request("ListStreams", {},
                                [("x-padding", "p" * 20000)])
        status, _ = client.answer(stream)
        self.assertEqual(status, 431)
        # The connection still serves.
        self.assertEqual(client.call("ListStreams", {})[0], 200)

    def test_a_frame_over_the_max_frame_size_ends_the_connection(self):
        sock = plain_socket(self.brookd.port)
        client = Client(sock)
        client.pump(lambda: client.conn.remote_settings.max_concurrent_streams
                    == 4, timeout=5)
        # A DATA frame of 20000 bytes on stream 1 (the default maximum is
        # 16384), written by hand since h2 would not.
        headers = client.conn.encoder.encode(
            [(":method", "POST"), (":path", "/"), (":scheme", "http"),
             (":authority", "x"), ("x-amz-target", TARGET + "PutRecord")])
        frame = struct.pack(">I", len(headers))[1:] + bytes([1, 4]) + \
            struct.pack(">I", 1) + headers
        payload = b"x" * 20000
        frame += struct.pack(">I", len(payload))[1:] + bytes([0, 0]) + \
            struct.pack(">I", 1) + payload
        sock.sendall(frame)
        data = b""
        sock.settimeout(10)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, ConnectionError):
            pass
        # A GOAWAY (type 7) with FRAME_SIZE_ERROR (6), then the close.
        self.assertIn(b"\x07\x00\x00\x00\x00\x00", data)
        self.assertTrue(any(data[i + 3] == 7 and struct.unpack(
            ">I", data[i + 13:i + 17])[0] == 6
            for i in range(len(data) - 17)))

    def test_a_reset_stream_leaves_the_connection_serving(self):
        client = Client(plain_socket(self.brookd.port))
        stream = client.request("PutRecord", b"{}", end=False)
        client.conn.reset_stream(stream, h2.errors.ErrorCodes.CANCEL)
        client.flush()
        self.assertEqual(client.call("ListStreams", {})[0], 200)

    def test_a_stream_whose_reader_stops_is_reset_alone(self):
        # A response larger than the client's stream window, which the
        # client never opens: that stream is reset after the write timeout
        # (2 s here), while another stream on the connection is served.
        client = Client(plain_socket(self.brookd.port), window=1024)
        status, body = client.call("GetShardIterator", {
            "StreamName": "h2", "ShardId": "shardId-000000000000",
            "ShardIteratorType": "TRIM_HORIZON"})
        self.assertEqual(status, 200, body)
        iterator = body["ShardIterator"]
        records = [{"Data": base64.b64encode(b"x" * 6000).decode(), "PartitionKey": "k%d" % i,
                    "ExplicitHashKey": "0"} for i in range(20)]
        status, body = client.call("PutRecords", {"StreamName": "h2",
                                                  "Records": records})
        self.assertEqual((status, body["FailedRecordCount"]), (200, 0))
        stalled = client.request("GetRecords", {"ShardIterator": iterator})
        client.pump(lambda: len(client.responses[stalled]["data"]) >= 1024,
                    timeout=10, acknowledge=False)
        # The stalled stream holds no one else up.
        self.assertEqual(client.call("ListStreams", {})[0], 200)
        client.pump(lambda: stalled in client.resets, timeout=15,
                    acknowledge=False)
        self.assertEqual(client.resets.get(stalled),
                         h2.errors.ErrorCodes.CANCEL)
        self.assertEqual(client.call("ListStreams", {})[0], 200)


def event_stream_messages(buffer):
    """Splits complete event stream messages off `buffer`: (messages, rest).
    Each message is (headers dict, payload bytes)."""
    messages = []
    while len(buffer) >= 12:
        total, headers_length = struct.unpack(">II", buffer[:8])
        if len(buffer) < total:
            break
        headers, raw = {}, buffer[12:12 + headers_length]
        i = 0
        while i < len(raw):
            name_length = raw[i]
            name = raw[i + 1:i + 1 + name_length].decode()
            i += 1 + name_length + 1  # The value type: 7, a string.
            value_length = struct.unpack(">H", raw[i:i + 2])[0]
            headers[name] = raw[i + 2:i + 2 + value_length].decode()
            i += 2 + value_length
        messages.append((headers, buffer[12 + headers_length:total - 4]))
        buffer = buffer[total:]
    return messages, buffer


class SubscribeToShardTest(unittest.TestCase):
    def test_events_flow_on_an_http2_stream(self):
        brookd = Brookd()
        try:
            client = Client(plain_socket(brookd.port))
            self.assertEqual(client.call("CreateStream", {
                "StreamName": "fan", "ShardCount": 1})[0], 200)
            arn = client.call("DescribeStreamSummary", {
                "StreamName": "fan"})[1]["StreamDescriptionSummary"][
                    "StreamARN"]
            consumer = client.call("RegisterStreamConsumer", {
                "StreamARN": arn, "ConsumerName": "c"})[1]["Consumer"]
            stream = client.request("SubscribeToShard", {
                "ConsumerARN": consumer["ConsumerARN"],
                "ShardId": "shardId-000000000000",
                "StartingPosition": {"Type": "TRIM_HORIZON"}})
            client.pump(lambda: client.responses[stream]["headers"],
                        timeout=10)
            self.assertEqual(
                client.responses[stream]["headers"].get("content-type"),
                "application/vnd.amazon.eventstream")
            # Other streams go on beside the subscription.
            self.assertEqual(client.call("PutRecord", {
                "StreamName": "fan", "Data": "aGVsbG8=",
                "PartitionKey": "k"})[0], 200)
            seen = []

            def got_record():
                messages, _ = event_stream_messages(
                    client.responses[stream]["data"])
                seen[:] = messages
                return any(json.loads(payload or b"{}").get("Records")
                           for _, payload in messages)

            self.assertTrue(client.pump(got_record, timeout=15))
            self.assertEqual(seen[0][0][":event-type"], "initial-response")
            event = next(json.loads(p) for h, p in seen
                         if h[":event-type"] == "SubscribeToShardEvent" and
                         json.loads(p)["Records"])
            self.assertEqual(event["Records"][0]["Data"], "aGVsbG8=")
            # Shutdown: the subscription's stream ends and a GOAWAY comes.
            self.assertEqual(brookd.stop(), 0)
            brookd = None
            client.pump(lambda: client.goaway is not None or client.closed,
                        timeout=10)
            self.assertIn(client.goaway,
                          (h2.errors.ErrorCodes.NO_ERROR, "GOAWAY"))
        finally:
            if brookd is not None:
                brookd.stop()


if __name__ == "__main__":
    BROOKD = sys.argv.pop(1)
    unittest.main()

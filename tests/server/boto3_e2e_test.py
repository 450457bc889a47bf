"""End-to-end: boto3, unchanged, against a brookd started by the test.

Usage: boto3_e2e_test.py PATH_TO_BROOKD
"""

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import boto3
import botocore
import botocore.config
import botocore.exceptions

BROOKD = None


def error_code(call):
    """Runs `call` and returns the Kinesis error name it failed with."""
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"]
    raise AssertionError("the call succeeded")


def start_brookd(*flags):
    """Starts brookd on a fresh directory; returns (process, dir, endpoint)."""
    data_dir = tempfile.mkdtemp(prefix="brookd-e2e-")
    server = subprocess.Popen(
        [BROOKD, "--data_dir=" + data_dir, "--port=0"] + list(flags),
        stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not match:
        server.kill()
        raise RuntimeError("brookd did not start: " + line)
    return server, data_dir, "http://127.0.0.1:" + match.group(1)


def stop_brookd(server, data_dir):
    server.terminate()
    assert server.wait(timeout=30) == 0, "brookd did not stop cleanly"
    shutil.rmtree(data_dir, ignore_errors=True)


def client(endpoint, key="test", secret="test"):
    return boto3.client(
        "kinesis", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"max_attempts": 1}))


class SignatureTest(unittest.TestCase):
    """With credentials, brookd accepts only requests they signed."""

    def test_signed_requests_only(self):
        server, data_dir, endpoint = start_brookd(
            "--access_key_id=AKIDBROOK", "--secret_access_key=s3cret")
        try:
            client(endpoint, "AKIDBROOK", "s3cret").create_stream(
                StreamName="signed", ShardCount=1)
            self.assertEqual(
                error_code(lambda: client(endpoint, "AKIDBROOK", "wrong")
                           .list_streams()), "InvalidSignatureException")
            self.assertEqual(
                error_code(lambda: client(endpoint, "AKIDOTHER", "s3cret")
                           .list_streams()), "UnrecognizedClientException")
            unsigned = boto3.client(
                "kinesis", endpoint_url=endpoint, region_name="us-east-1",
                config=botocore.config.Config(
                    signature_version=botocore.UNSIGNED,
                    retries={"max_attempts": 1}))
            self.assertEqual(error_code(unsigned.list_streams),
                             "MissingAuthenticationTokenException")
            # /metrics tells stream names: not without a signature.
            with self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(endpoint + "/metrics", timeout=30)
            self.assertEqual(refused.exception.code, 403)
        finally:
            stop_brookd(server, data_dir)


class ExitCodeTest(unittest.TestCase):
    """brookd's exit codes say what went wrong."""

    def run_brookd(self, *flags):
        return subprocess.run([BROOKD] + list(flags), capture_output=True,
                              text=True, timeout=60)

    def test_bad_flags_exit_2(self):
        self.assertEqual(self.run_brookd("--durability=maybe").returncode, 2)
        self.assertEqual(self.run_brookd("--access_key_id=only").returncode, 2)
        self.assertEqual(self.run_brookd("--limits=none").returncode, 2)

    def test_a_held_directory_exits_3_and_a_taken_port_4(self):
        server, data_dir, endpoint = start_brookd()
        try:
            held = self.run_brookd("--data_dir=" + data_dir, "--port=0")
            self.assertEqual(held.returncode, 3)
            self.assertIn("ResourceInUseException", held.stderr)
            other_dir = tempfile.mkdtemp(prefix="brookd-e2e-")
            taken = self.run_brookd("--data_dir=" + other_dir,
                                    "--port=" + endpoint.rsplit(":", 1)[1])
            shutil.rmtree(other_dir, ignore_errors=True)
            self.assertEqual(taken.returncode, 4)
        finally:
            stop_brookd(server, data_dir)


class WriteStateTest(unittest.TestCase):
    """/health says when writes are refused, and why; reads go on."""

    def test_health_answers_503_below_the_disk_floor(self):
        # A floor above any disk's free space: writes are refused at once.
        server, data_dir, endpoint = start_brookd(
            "--min_free_disk_mib=%d" % (1 << 40))
        try:
            port = int(endpoint.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port),
                                          timeout=30) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: brookd\r\n"
                             b"Connection: close\r\n\r\n")
                answer = b""
                while chunk := sock.recv(4096):
                    answer += chunk
            self.assertTrue(answer.startswith(b"HTTP/1.1 503"), answer)
            self.assertIn(b"low_space: ", answer)
            self.assertIn(b"min_free_disk_bytes", answer)
            kinesis = client(endpoint)
            self.assertEqual(
                error_code(lambda: kinesis.create_stream(StreamName="s",
                                                         ShardCount=1)),
                "InternalFailure")
            self.assertEqual(kinesis.list_streams()["StreamNames"], [])
        finally:
            stop_brookd(server, data_dir)


class ConnectionLimitsTest(unittest.TestCase):
    """Idle and surplus connections cannot pile up, nor crowd out clients
    that make progress."""

    def test_connection_cap_sheds_the_stalest_and_deadlines_close(self):
        server, data_dir, endpoint = start_brookd(
            "--max_connections=2", "--header_timeout_s=2",
            "--idle_timeout_s=2")
        port = int(endpoint.rsplit(":", 1)[1])
        try:
            opened = time.monotonic()
            stalest = socket.create_connection(("127.0.0.1", port),
                                               timeout=10)
            time.sleep(0.1)
            stale = socket.create_connection(("127.0.0.1", port), timeout=10)
            time.sleep(0.1)  # Both accepted: they hold the two places.
            # A client that makes progress is served all the same...
            client(endpoint).list_streams()
            # ...in the place of the connection idle the longest.
            self.assertEqual(stalest.recv(1), b"")
            self.assertLess(time.monotonic() - opened, 1.5)
            stalest.close()
            # The other never sent its headers: closed at their deadline.
            self.assertEqual(stale.recv(1), b"")
            self.assertGreaterEqual(time.monotonic() - opened, 1.9)
            stale.close()
        finally:
            stop_brookd(server, data_dir)


class EncryptionTest(unittest.TestCase):
    """Start/StopStreamEncryption and EncryptionType as boto3 sees them (the
    Kinesis API reference of each operation and of Record)."""

    def test_start_and_stop_encryption(self):
        key_dir = tempfile.mkdtemp(prefix="brookd-e2e-keys-")
        server, data_dir, endpoint = start_brookd(
            "--key_directory=" + key_dir + "/keys")
        try:
            kinesis = client(endpoint)
            kinesis.create_stream(StreamName="sealed", ShardCount=1)
            kinesis.put_record(StreamName="sealed", PartitionKey="k",
                               Data=b"before")
            kinesis.start_stream_encryption(
                StreamName="sealed", EncryptionType="KMS",
                KeyId="alias/aws/kinesis")
            summary = kinesis.describe_stream_summary(
                StreamName="sealed")["StreamDescriptionSummary"]
            self.assertEqual(summary["EncryptionType"], "KMS")
            self.assertEqual(summary["KeyId"], "alias/aws/kinesis")
            put = kinesis.put_record(StreamName="sealed", PartitionKey="k",
                                     Data=b"after")
            self.assertEqual(put["EncryptionType"], "KMS")
            iterator = kinesis.get_shard_iterator(
                StreamName="sealed", ShardId="shardId-000000000000",
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = kinesis.get_records(ShardIterator=iterator)["Records"]
            self.assertEqual([(r["Data"], r["EncryptionType"]) for r in records],
                             [(b"before", "NONE"), (b"after", "KMS")])
            self.assertEqual(
                error_code(lambda: kinesis.start_stream_encryption(
                    StreamName="sealed", EncryptionType="KMS",
                    KeyId="alias/missing")),
                "KMSNotFoundException")
            kinesis.stop_stream_encryption(
                StreamName="sealed", EncryptionType="KMS",
                KeyId="alias/aws/kinesis")
            description = kinesis.describe_stream(
                StreamName="sealed")["StreamDescription"]
            self.assertEqual(description["EncryptionType"], "NONE")
            self.assertNotIn("KeyId", description)
        finally:
            stop_brookd(server, data_dir)
            shutil.rmtree(key_dir, ignore_errors=True)


class Boto3EndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server, cls.data_dir, cls.endpoint = start_brookd()
        cls.kinesis = client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        stop_brookd(cls.server, cls.data_dir)

    def create(self, name, shards):
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        self.kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 0.1})

    def read_shard(self, stream, shard_id, **position):
        position.setdefault("ShardIteratorType", "TRIM_HORIZON")
        iterator = self.kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard_id, **position)["ShardIterator"]
        records = []
        while iterator:
            try:
                page = self.kinesis.get_records(ShardIterator=iterator)
            except self.kinesis.exceptions.ProvisionedThroughputExceededException:
                time.sleep(0.2)  # 5 reads per second per shard, as Kinesis.
                continue
            records += page["Records"]
            if not page["Records"]:
                return records, page
            iterator = page.get("NextShardIterator")
        return records, page

    def test_streams_describe_and_list(self):
        self.create("orders", 3)
        description = self.kinesis.describe_stream(
            StreamName="orders")["StreamDescription"]
        self.assertEqual(description["StreamStatus"], "ACTIVE")
        self.assertEqual(len(description["Shards"]), 3)
        self.assertEqual(description["Shards"][0]["HashKeyRange"]
                         ["StartingHashKey"], "0")
        arn = description["StreamARN"]
        summary = self.kinesis.describe_stream_summary(StreamName="orders")
        self.assertTrue(arn.endswith(":stream/orders"))
        self.assertEqual(summary["StreamDescriptionSummary"]
                         ["OpenShardCount"], 3)
        self.assertIn("orders", self.kinesis.list_streams()["StreamNames"])
        shards = self.kinesis.list_shards(StreamName="orders", MaxResults=2)
        self.assertEqual(len(shards["Shards"]), 2)
        more = self.kinesis.list_shards(NextToken=shards["NextToken"])
        self.assertEqual(more["Shards"][0]["ShardId"], "shardId-000000000002")
        self.assertEqual(error_code(lambda: self.create("orders", 1)),
                         "ResourceInUseException")
        self.assertEqual(
            error_code(lambda: self.kinesis.describe_stream(
                StreamName="missing")), "ResourceNotFoundException")

    def test_put_get_and_every_iterator_type(self):
        self.create("clicks", 1)
        shard = "shardId-000000000000"
        first = self.kinesis.put_record(
            StreamName="clicks", PartitionKey="user-1", Data=b"one")
        self.assertEqual(first["ShardId"], shard)
        batch = self.kinesis.put_records(StreamName="clicks", Records=[
            {"PartitionKey": "user-%d" % i, "Data": b"batch-%d" % i}
            for i in range(5)])
        self.assertEqual(batch["FailedRecordCount"], 0)
        self.assertEqual(len(batch["Records"]), 5)
        # Every response carries its own x-amzn-RequestId, a UUID.
        ids = [first["ResponseMetadata"]["RequestId"],
               batch["ResponseMetadata"]["RequestId"]]
        for request_id in ids:
            self.assertRegex(request_id, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}"
                                         r"-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertNotEqual(ids[0], ids[1])
        records, _ = self.read_shard("clicks", shard)
        self.assertEqual([r["Data"] for r in records],
                         [b"one"] + [b"batch-%d" % i for i in range(5)])
        self.assertIn("ApproximateArrivalTimestamp", records[0])
        at, _ = self.read_shard(
            "clicks", shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=first["SequenceNumber"])
        self.assertEqual(len(at), 6)
        after, _ = self.read_shard(
            "clicks", shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            StartingSequenceNumber=first["SequenceNumber"])
        self.assertEqual(len(after), 5)
        latest, _ = self.read_shard("clicks", shard,
                                    ShardIteratorType="LATEST")
        self.assertEqual(latest, [])
        timestamped, _ = self.read_shard(
            "clicks", shard, ShardIteratorType="AT_TIMESTAMP",
            Timestamp=records[0]["ApproximateArrivalTimestamp"])
        self.assertEqual(len(timestamped), 6)
        self.assertEqual(
            error_code(lambda: self.kinesis.put_record(
                StreamName="clicks", PartitionKey="k", Data=b"x",
                ExplicitHashKey="not-a-number")),
            "ValidationException")
        self.assertEqual(
            error_code(lambda: self.kinesis.get_records(
                ShardIterator="forged")), "InvalidArgumentException")

    def test_retention(self):
        self.create("kept", 1)
        self.kinesis.increase_stream_retention_period(
            StreamName="kept", RetentionPeriodHours=48)
        summary = self.kinesis.describe_stream_summary(StreamName="kept")
        self.assertEqual(summary["StreamDescriptionSummary"]
                         ["RetentionPeriodHours"], 48)
        self.assertEqual(
            error_code(lambda: self.kinesis.decrease_stream_retention_period(
                StreamName="kept", RetentionPeriodHours=72)),
            "InvalidArgumentException")
        self.kinesis.decrease_stream_retention_period(
            StreamName="kept", RetentionPeriodHours=24)

    def test_split_merge_and_child_shards(self):
        self.create("resharded", 1)
        self.kinesis.put_record(StreamName="resharded", PartitionKey="k",
                                Data=b"before")
        self.kinesis.split_shard(
            StreamName="resharded", ShardToSplit="shardId-000000000000",
            NewStartingHashKey=str(2 ** 127))
        records, last = self.read_shard("resharded", "shardId-000000000000")
        self.assertEqual([r["Data"] for r in records], [b"before"])
        self.assertNotIn("NextShardIterator", last)
        self.assertEqual([c["ShardId"] for c in last["ChildShards"]],
                         ["shardId-000000000001", "shardId-000000000002"])
        self.kinesis.merge_shards(
            StreamName="resharded", ShardToMerge="shardId-000000000001",
            AdjacentShardToMerge="shardId-000000000002")
        open_shards = self.kinesis.list_shards(
            StreamName="resharded",
            ShardFilter={"Type": "AT_LATEST"})["Shards"]
        self.assertEqual([s["ShardId"] for s in open_shards],
                         ["shardId-000000000003"])
        scaled = self.kinesis.update_shard_count(
            StreamName="resharded", TargetShardCount=2,
            ScalingType="UNIFORM_SCALING")
        self.assertEqual(scaled["TargetShardCount"], 2)
        self.assertEqual(
            error_code(lambda: self.kinesis.split_shard(
                StreamName="resharded", ShardToSplit="shardId-000000000000",
                NewStartingHashKey="5")), "InvalidArgumentException")

    def test_consumers(self):
        self.create("fanned", 1)
        arn = self.kinesis.describe_stream_summary(
            StreamName="fanned")["StreamDescriptionSummary"]["StreamARN"]
        consumer = self.kinesis.register_stream_consumer(
            StreamARN=arn, ConsumerName="app")["Consumer"]
        self.assertEqual(consumer["ConsumerStatus"], "ACTIVE")
        described = self.kinesis.describe_stream_consumer(
            ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        self.assertEqual(described["StreamARN"], arn)
        listed = self.kinesis.list_stream_consumers(StreamARN=arn)
        self.assertEqual([c["ConsumerName"] for c in listed["Consumers"]],
                         ["app"])
        self.kinesis.deregister_stream_consumer(
            StreamARN=arn, ConsumerName="app")
        self.assertEqual(
            error_code(lambda: self.kinesis.describe_stream_consumer(
                ConsumerARN=consumer["ConsumerARN"])),
            "ResourceNotFoundException")

    def http(self, method, path, body=None, headers=None):
        """Returns (status, body) of a plain HTTP request to brookd."""
        request = urllib.request.Request(self.endpoint + path, data=body,
                                         method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def test_http_surface(self):
        self.assertEqual(self.http("GET", "/health"), (200, b"ok\n"))
        self.create("measured", 1)
        self.kinesis.put_record(StreamName="measured", PartitionKey="k",
                                Data=b"x")
        # Shard-level metrics are published once the stream enables them.
        status, metrics = self.http("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertNotIn(b'brook_shard_incoming_records_total{', metrics)
        self.kinesis.enable_enhanced_monitoring(
            StreamName="measured", ShardLevelMetrics=["IncomingRecords"])
        status, metrics = self.http("GET", "/metrics")
        self.assertIn(b'brook_shard_incoming_records_total{stream="measured",'
                      b'shard="shardId-000000000000"} 1', metrics)
        self.assertNotIn(b"brook_shard_incoming_bytes_total{", metrics)
        status, body = self.http("POST", "/", b"{}")
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"],
                         "UnknownOperationException")
        status, body = self.http(
            "POST", "/", b"{", {"X-Amz-Target": "Kinesis_20131202.ListStreams"})
        self.assertEqual((status, json.loads(body)["__type"]),
                         (400, "SerializationException"))
        # The bytes of an error AWS words the same way.
        status, body = self.http(
            "POST", "/", b'{"StreamName":"x","ShardCount":0}',
            {"X-Amz-Target": "Kinesis_20131202.CreateStream"})
        self.assertEqual(
            (status, body),
            (400, b'{"__type":"ValidationException","message":"1 validation '
                  b"error detected: Value '0' at 'shardCount' failed to "
                  b"satisfy constraint: Member must have value greater than "
                  b'or equal to 1"}'))
        # An operation without output answers with an empty body.
        status, body = self.http(
            "POST", "/", b'{"StreamName":"measured","Tags":{"a":"b"}}',
            {"X-Amz-Target": "Kinesis_20131202.AddTagsToStream"})
        self.assertEqual((status, body), (200, b""))
        # A body over the limit is refused from its Content-Length alone.
        port = int(self.endpoint.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: brookd\r\n"
                         b"X-Amz-Target: Kinesis_20131202.PutRecords\r\n"
                         b"Content-Length: %d\r\n\r\n" % (16 * 1024 * 1024 + 1))
            self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 413"))
        # Headers over 16 KiB are refused too.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: brookd\r\n"
                         b"X-Padding: " + b"x" * (17 * 1024) + b"\r\n\r\n")
            self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 431"))
        # What is not an API call gets AWS's answer, as JSON.
        status, body = self.http("GET", "/nowhere")
        self.assertEqual((status, json.loads(body)["__type"]),
                         (403, "AccessDeniedException"))

    def test_subscribe_to_shard(self):
        self.create("pushed", 1)
        arn = self.kinesis.describe_stream_summary(
            StreamName="pushed")["StreamDescriptionSummary"]["StreamARN"]
        consumer = self.kinesis.register_stream_consumer(
            StreamARN=arn, ConsumerName="pusher")["Consumer"]
        for i in range(3):
            self.kinesis.put_record(StreamName="pushed", PartitionKey="k",
                                    Data=b"event-%d" % i)
        self.kinesis.split_shard(
            StreamName="pushed", ShardToSplit="shardId-000000000000",
            NewStartingHashKey=str(2 ** 127))
        response = self.kinesis.subscribe_to_shard(
            ConsumerARN=consumer["ConsumerARN"],
            ShardId="shardId-000000000000",
            StartingPosition={"Type": "TRIM_HORIZON"})
        data = []
        children = []
        # The closed shard's events end with its children, then the stream.
        for event in response["EventStream"]:
            shard_event = event["SubscribeToShardEvent"]
            data += [record["Data"] for record in shard_event["Records"]]
            children = shard_event.get("ChildShards", [])
            # A continuation, or, in the last event, the children instead
            # (as Kinesis; the KCL refuses an event with both).
            self.assertNotEqual("ContinuationSequenceNumber" in shard_event,
                                bool(children))
            if children:
                break
        self.assertEqual(data, [b"event-0", b"event-1", b"event-2"])
        self.assertEqual([c["ShardId"] for c in children],
                         ["shardId-000000000001", "shardId-000000000002"])
        self.assertEqual(
            error_code(lambda: self.kinesis.subscribe_to_shard(
                ConsumerARN=consumer["ConsumerARN"] + "0",
                ShardId="shardId-000000000000",
                StartingPosition={"Type": "LATEST"})),
            "ResourceNotFoundException")

    def test_tags(self):
        self.create("tagged", 1)
        self.kinesis.add_tags_to_stream(StreamName="tagged",
                                        Tags={"team": "data", "env": "dev"})
        listed = self.kinesis.list_tags_for_stream(StreamName="tagged")
        self.assertEqual(listed["Tags"], [{"Key": "env", "Value": "dev"},
                                          {"Key": "team", "Value": "data"}])
        self.assertFalse(listed["HasMoreTags"])
        self.kinesis.remove_tags_from_stream(StreamName="tagged",
                                             TagKeys=["env"])
        self.assertEqual(
            [t["Key"] for t in self.kinesis.list_tags_for_stream(
                StreamName="tagged")["Tags"]], ["team"])
        self.assertEqual(
            error_code(lambda: self.kinesis.add_tags_to_stream(
                StreamName="tagged", Tags={"aws:reserved": "x"})),
            "InvalidArgumentException")

    def test_delete_stream(self):
        self.create("doomed", 1)
        self.kinesis.delete_stream(StreamName="doomed")
        self.assertNotIn("doomed", self.kinesis.list_streams()["StreamNames"])


if __name__ == "__main__":
    BROOKD = sys.argv.pop(1)
    unittest.main(verbosity=2)

"""brookd against the newest boto3/botocore from PyPI (pinned in
requirements.txt): every operation of botocore's Kinesis model gets an
answer that is not UnknownOperationException, and the request shapes of
the current API work end to end.

Usage: PYTHONPATH=<boto3 from requirements.txt> boto3_newest_test.py BROOKD
"""

import json
import os
import sys
import unittest

import boto3
import botocore.config
import botocore.exceptions

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
import boto3_e2e_test as e2e  # noqa: E402  (start/stop brookd)


def unvalidated_client(endpoint):
    """A client that sends what it is given, for brookd to judge."""
    return boto3.client(
        "kinesis", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=botocore.config.Config(parameter_validation=False,
                                      retries={"max_attempts": 1}))


class NewestBoto3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server, cls.data_dir, cls.endpoint = e2e.start_brookd()
        cls.kinesis = unvalidated_client(cls.endpoint)

    @classmethod
    def tearDownClass(cls):
        e2e.stop_brookd(cls.server, cls.data_dir)

    def error(self, call, **params):
        try:
            call(**params)
        except botocore.exceptions.ClientError as error:
            return error.response["Error"]["Code"], \
                error.response["Error"]["Message"]
        return "OK", ""

    def test_every_operation_of_the_model_answers(self):
        model = self.kinesis.meta.service_model
        self.assertGreaterEqual(len(model.operation_names), 45)
        for name in model.operation_names:
            if name == "SubscribeToShard":
                continue  # An event stream; its errors come as a body too.
            method = getattr(self.kinesis,
                             botocore.xform_name(name))
            code, _ = self.error(method)
            self.assertNotEqual(code, "UnknownOperationException", name)

    def test_current_request_shapes(self):
        k = self.kinesis
        k.create_stream(StreamName="shapes", ShardCount=1,
                        MaxRecordSizeInKiB=2048,
                        StreamModeDetails={"StreamMode": "PROVISIONED"},
                        Tags={"team": "data"})
        summary = k.describe_stream_summary(
            StreamName="shapes")["StreamDescriptionSummary"]
        self.assertEqual(summary["MaxRecordSizeInKiB"], 2048)
        arn = summary["StreamARN"]
        self.assertEqual(k.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "team", "Value": "data"}])
        put = k.put_record(StreamARN=arn, PartitionKey="k", Data=b"hi")
        self.assertTrue(put["ResponseMetadata"]["RequestId"])
        shard = k.list_shards(StreamARN=arn)["Shards"][0]["ShardId"]
        iterator = k.get_shard_iterator(
            StreamARN=arn, ShardId=shard,
            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = k.get_records(StreamARN=arn, ShardIterator=iterator)
        self.assertEqual(records["Records"][0]["Data"], b"hi")
        k.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=4096)
        self.assertEqual(
            k.describe_stream_summary(StreamARN=arn)
            ["StreamDescriptionSummary"]["MaxRecordSizeInKiB"], 4096)
        limits = k.describe_limits()
        self.assertGreaterEqual(limits["OpenShardCount"], 1)
        monitoring = k.enable_enhanced_monitoring(
            StreamARN=arn, ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual(monitoring["DesiredShardLevelMetrics"],
                         ["IncomingBytes"])
        self.assertEqual(
            k.describe_stream(StreamARN=arn)["StreamDescription"]
            ["EnhancedMonitoring"], [{"ShardLevelMetrics": ["IncomingBytes"]}])
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kinesis:GetRecords",
             "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
             "Resource": arn}]}
        k.put_resource_policy(ResourceARN=arn, Policy=json.dumps(policy))
        self.assertEqual(
            json.loads(k.get_resource_policy(ResourceARN=arn)["Policy"]),
            policy)
        k.delete_resource_policy(ResourceARN=arn)

    def test_consumer_tags_and_policy(self):
        k = self.kinesis
        k.create_stream(StreamName="consumed", ShardCount=1)
        arn = k.describe_stream_summary(
            StreamName="consumed")["StreamDescriptionSummary"]["StreamARN"]
        consumer = k.register_stream_consumer(
            StreamARN=arn, ConsumerName="app",
            Tags={"team": "data"})["Consumer"]["ConsumerARN"]
        k.tag_resource(ResourceARN=consumer, Tags={"tier": "gold"})
        k.untag_resource(ResourceARN=consumer, TagKeys=["team"])
        self.assertEqual(
            k.list_tags_for_resource(ResourceARN=consumer)["Tags"],
            [{"Key": "tier", "Value": "gold"}])
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kinesis:SubscribeToShard",
             "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
             "Resource": consumer}]}
        k.put_resource_policy(ResourceARN=consumer, Policy=json.dumps(policy))
        self.assertEqual(
            json.loads(k.get_resource_policy(ResourceARN=consumer)["Policy"]),
            policy)
        k.deregister_stream_consumer(ConsumerARN=consumer)
        code, _ = self.error(k.list_tags_for_resource, ResourceARN=consumer)
        self.assertEqual(code, "ResourceNotFoundException")

    def test_errors_as_aws_words_them(self):
        code, message = self.error(self.kinesis.create_stream,
                                   StreamName="x", ShardCount=0)
        self.assertEqual(code, "ValidationException")
        self.assertEqual(
            message, "1 validation error detected: Value '0' at 'shardCount' "
            "failed to satisfy constraint: Member must have value greater "
            "than or equal to 1")
        self.assertEqual(
            self.error(self.kinesis.update_stream_mode,
                       StreamARN="arn:aws:kinesis:us-east-1:000000000000:"
                                 "stream/missing",
                       StreamModeDetails={"StreamMode": "ON_DEMAND"})[0],
            "ResourceNotFoundException")

    def test_on_demand_stream_and_mode_switches(self):
        k = self.kinesis
        k.create_stream(StreamName="od",
                        StreamModeDetails={"StreamMode": "ON_DEMAND"})
        summary = k.describe_stream_summary(
            StreamName="od")["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamModeDetails"]["StreamMode"],
                         "ON_DEMAND")
        self.assertEqual(summary["OpenShardCount"], 4)
        arn = summary["StreamARN"]
        k.update_stream_mode(StreamARN=arn,
                             StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.assertEqual(
            k.describe_stream_summary(StreamName="od")
            ["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"],
            "PROVISIONED")
        k.update_stream_mode(StreamARN=arn,
                             StreamModeDetails={"StreamMode": "ON_DEMAND"})
        # Kinesis allows two switches within 24 hours.
        code, _ = self.error(k.update_stream_mode, StreamARN=arn,
                             StreamModeDetails={"StreamMode": "PROVISIONED"})
        self.assertEqual(code, "LimitExceededException")
        code, _ = self.error(k.split_shard, StreamName="od",
                             ShardToSplit="shardId-000000000000",
                             NewStartingHashKey="100")
        self.assertEqual(code, "InvalidArgumentException")
        limits = k.describe_limits()
        self.assertEqual(limits["OnDemandStreamCount"], 1)
        self.assertEqual(limits["OnDemandStreamCountLimit"], 50)
        k.delete_stream(StreamName="od")


if __name__ == "__main__":
    e2e.BROOKD = sys.argv.pop(1)
    unittest.main()

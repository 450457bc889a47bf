// brookd against the AWS SDK for Go v2 with its default client (HTTP/1.1,
// JSON 1.1): create, put, put-batch, iterators, get and an error by name.
//
// Usage: go run . ENDPOINT
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

var passed, failed int

func test(name string, body func() error) {
	if err := body(); err != nil {
		failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	passed++
	fmt.Printf("ok   %s\n", name)
}

func main() {
	ctx := context.Background()
	client := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(os.Args[1]),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	stream := aws.String("go-sdk")
	test("create, put, put-batch, iterator, get", func() error {
		if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{
			StreamName: stream, ShardCount: aws.Int32(1)}); err != nil {
			return err
		}
		put, err := client.PutRecord(ctx, &kinesis.PutRecordInput{
			StreamName: stream, PartitionKey: aws.String("k"), Data: []byte{0, 1, 255}})
		if err != nil {
			return err
		}
		batch, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{
			StreamName: stream, Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("a"), Data: []byte("one")},
				{PartitionKey: aws.String("b"), Data: []byte("two")}}})
		if err != nil || aws.ToInt32(batch.FailedRecordCount) != 0 {
			return fmt.Errorf("put-batch: %v", err)
		}
		iterator, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName: stream, ShardId: put.ShardId,
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return err
		}
		got, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{
			ShardIterator: iterator.ShardIterator})
		if err != nil {
			return err
		}
		if len(got.Records) != 3 || got.Records[0].Data[2] != 255 ||
			string(got.Records[2].Data) != "two" ||
			got.Records[0].ApproximateArrivalTimestamp == nil {
			return fmt.Errorf("records: %+v", got.Records)
		}
		return nil
	})
	test("ResourceNotFoundException by name", func() error {
		_, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{
			StreamName: aws.String("absent")})
		var notFound *types.ResourceNotFoundException
		if !errors.As(err, &notFound) {
			return fmt.Errorf("got %v", err)
		}
		return nil
	})
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

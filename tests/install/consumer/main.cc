// A program outside the Brook tree, built against the installed package.

#include <iostream>

#include "brook/broker.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto broker = brook::Broker::Open(brook::BrokerOptions(), argv[1]);
  if (!broker.ok()) return 1;
  brook::CreateStreamRequest create;
  create.stream_name = "installed";
  if (!(*broker)->CreateStream(create).ok()) return 1;
  brook::PutRecordRequest put;
  put.stream = "installed";
  put.partition_key = "k";
  put.data = "hello";
  auto written = (*broker)->PutRecord(put);
  if (!written.ok()) return 1;
  brook::GetShardIteratorRequest from;
  from.stream = "installed";
  from.shard_id = written->shard_id;
  auto iterator = (*broker)->GetShardIterator(from);
  if (!iterator.ok()) return 1;
  brook::GetRecordsRequest get;
  get.shard_iterator = iterator->shard_iterator;
  auto records = (*broker)->GetRecords(get);
  if (!records.ok() || records->records.size() != 1) return 1;
  std::cout << "read back: " << records->records[0].data << "\n";
  return (*broker)->Close().ok() ? 0 : 1;
}

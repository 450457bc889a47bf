// What checking a request against the Kinesis API model costs brookd, next
// to what reading the request costs anyway: a PutRecords of 500 records,
// parsed from JSON, then checked (JSON types and base64, decoded in place,
// then the model's constraints), and the Broker's check of the same request
// as a C++ value; and the whole read (parse, then checks) of the same
// request as JSON and as CBOR.

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "boost/json/monotonic_resource.hpp"
#include "boost/json/parse.hpp"
#include "broker/validation.h"
#include "schema/kinesis_shapes.h"
#include "server/cbor_codec.h"
#include "server/json_fields.h"
#include "server/request_validator.h"

namespace brook {
namespace {

constexpr int kRecords = 500;

// A PutRecords body of 500 records of `record_bytes` bytes of data.
std::string PutRecordsBody(size_t record_bytes) {
  const std::string data = EncodeBase64(std::string(record_bytes, 'x'));
  std::string body = R"({"StreamName":"bench","Records":[)";
  for (int i = 0; i < kRecords; ++i) {
    if (i > 0) body += ",";
    body += R"({"PartitionKey":"key-)" + std::to_string(i) + R"(","Data":")" +
            data + R"("})";
  }
  return body + "]}";
}

void BM_ParsePutRecords(benchmark::State& state) {
  const std::string body = PutRecordsBody(state.range(0));
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    benchmark::DoNotOptimize(boost::json::parse(body, &arena));
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_ParsePutRecords)->ArgNames({"record_bytes"})->Arg(100)->Arg(1024);

void BM_ValidatePutRecordsJson(benchmark::State& state) {
  const std::string body = PutRecordsBody(state.range(0));
  const boost::json::object request = boost::json::parse(body).as_object();
  const schema::Operation& operation = *schema::FindOperation("PutRecords");
  boost::json::object copy;
  for (auto _ : state) {
    // The check decodes the blobs in place: each round takes a fresh copy.
    state.PauseTiming();
    copy = request;
    state.ResumeTiming();
    benchmark::DoNotOptimize(
        ValidateRequest(operation, BlobForm::kBase64, copy));
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_ValidatePutRecordsJson)
    ->ArgNames({"record_bytes"})
    ->Arg(100)
    ->Arg(1024);

void BM_ValidatePutRecordsRequest(benchmark::State& state) {
  PutRecordsRequest request;
  request.stream = "bench";
  for (int i = 0; i < kRecords; ++i) {
    request.records.push_back(
        {"key-" + std::to_string(i), std::string(state.range(0), 'x'), ""});
  }
  std::vector<PutRecordsEntryView> views;
  for (const PutRecordsRequestEntry& entry : request.records) {
    views.push_back({entry.partition_key, entry.data, entry.explicit_hash_key});
  }
  const PutRecordsRequestView view{request.stream, views};
  for (auto _ : state) benchmark::DoNotOptimize(Validate(view));
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_ValidatePutRecordsRequest)
    ->ArgNames({"record_bytes"})
    ->Arg(100)
    ->Arg(1024);

// The whole read of a PutRecords body into the tree the operation takes,
// blobs as bytes and checked against the model, from JSON (parse, then the
// checks decode base64 in place) and from CBOR (the Java SDK's form: the
// decoder keeps byte strings as bytes).
void BM_ReadPutRecords(benchmark::State& state) {
  const bool cbor = state.range(0) == 1;
  const std::string json_body = PutRecordsBody(state.range(1));
  const std::string body =
      cbor ? *JsonToCbor("PutRecordsInput", json_body) : json_body;
  const schema::Operation& operation = *schema::FindOperation("PutRecords");
  const BlobForm blobs = cbor ? BlobForm::kBytes : BlobForm::kBase64;
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    boost::json::value request =
        cbor ? *ReadCbor("PutRecordsInput", body, blobs, &arena)
             : boost::json::parse(body, &arena);
    benchmark::DoNotOptimize(
        ValidateRequest(operation, blobs, request.as_object()));
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * body.size());
}
BENCHMARK(BM_ReadPutRecords)
    ->ArgNames({"cbor", "record_bytes"})
    ->ArgsProduct({{0, 1}, {100, 1024}});

}  // namespace
}  // namespace brook

// -----------------------------------------------------------------------------
// File: brook/write_state.h
// -----------------------------------------------------------------------------
//
// Whether a Broker accepts writes, and why not (Broker::GetWriteState()).
//
// Brook stops writing at the first sign that the disk cannot be trusted with
// more, as LevelDB and RocksDB do, instead of carrying on and letting later
// writes land after a failed one: after a failed write or log sync every
// later write fails fast; reads keep working throughout. A full disk is
// refused before it is full, so that deletions, retention and a reopen
// always have room.
//
// Thread safety: plain values and pure functions.

#ifndef BROOK_WRITE_STATE_H_
#define BROOK_WRITE_STATE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {

enum class WriteStatus {
  // Every write is accepted.
  kAccepting,
  // The data directory's filesystem has less free space than
  // BrokerOptions::min_free_disk_bytes. Puts and other writes that add data
  // fail with InternalFailure (code kResourceExhausted) and write nothing;
  // DeleteStream, DeregisterStreamConsumer and retention still run. Writes
  // resume on their own once space is freed.
  kLowSpace,
  // A write or a log sync failed because the filesystem was full. Every
  // write fails fast with InternalFailure (kResourceExhausted); Brook frees
  // its reserve file and resumes on its own once there is room again
  // (checked every BrokerOptions::disk_check_interval), first making every
  // record already in the log durable.
  kStoppedNoSpace,
  // A write or a log sync failed with an I/O error, or the store found
  // damage. Every write fails fast with InternalFailure until the Broker is
  // closed and opened again.
  kStopped,
};

struct WriteState {
  WriteStatus status = WriteStatus::kAccepting;
  // Why writes are refused: the failure or the space shortage behind
  // `status`, as returned to the calls it refuses. OK while accepting.
  absl::Status reason;
};

// "accepting", "low_space", "stopped_no_space" or "stopped".
absl::string_view WriteStatusToString(WriteStatus status);

}  // namespace brook

#endif  // BROOK_WRITE_STATE_H_

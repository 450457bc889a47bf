// KeyDirectory's files (see brook/encryption.h):
//
//   <dir>/key-<uuid>      a master key, text:
//                           brook-master-key 1
//                           state enabled|disabled
//                           version <n> <64 hex digits>     (one per version)
//   <dir>/alias-<name>    the key id an alias names ('/' in the name is '+'
//                         in the file name), text: <uuid>
//
// A wrapped data key (what GenerateDataKey() returns as `wrapped`):
//   01 uuid:lenprefixed version:varint nonce:12 sealed:48
// where `sealed` is the data key sealed with AES-256-GCM under version
// `version` of the master key, with the associated data
// "brook-data-key" uuid version:fixed64: a wrapped key names the material
// that opens it, and cannot be passed off as another key's. Its nonce is
// random: a master key wraps one data key per StartStreamEncryption, far
// below the 2^32 random nonces NIST SP 800-38D allows one key.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/optional.h"
#include "brook/encryption.h"
#include "common/coding.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "encryption/aes_gcm.h"

namespace brook {
namespace {

constexpr absl::string_view kServiceAlias = "alias/aws/kinesis";
constexpr absl::string_view kKeyHeader = "brook-master-key 1";
constexpr char kWrappedVersion = '\x01';

absl::Status NotFound(absl::string_view key_id) {
  return MakeError(ErrorName::kKMSNotFoundException,
                   absl::StrCat("Key '", key_id, "' does not exist"));
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsAliasName(absl::string_view alias) {
  absl::string_view name = alias;
  if (!absl::ConsumePrefix(&name, "alias/") || name.empty() ||
      name.size() > 250) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '/' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

// An OS error while touching key files, in KMS's terms.
absl::Status FileError(absl::string_view what, const std::string& path,
                       int error) {
  const std::string message =
      absl::StrCat(what, " '", path, "': ", std::strerror(error));
  if (error == EACCES || error == EPERM) {
    return MakeError(ErrorName::kKMSAccessDeniedException, message);
  }
  return InternalFailure(message);
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return FileError("cannot open", dir, errno);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return FileError("cannot sync", dir, error);
  return absl::OkStatus();
}

// Writes `contents` to `dir`/`name` durably, readable by the owner only.
absl::Status WriteFileDurably(const std::string& dir, absl::string_view name,
                              absl::string_view contents) {
  const std::string path = absl::StrCat(dir, "/", name);
  const std::string temp = absl::StrCat(path, ".tmp");
  const int fd =
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("cannot create", temp, errno);
  size_t written = 0;
  int error = 0;
  while (written < contents.size()) {
    const ssize_t n =
        ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  ::close(fd);
  if (error == 0 && ::rename(temp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    return FileError("cannot write", path, error);
  }
  return SyncDirectory(dir);
}

// The contents of `path`, or nullopt if it does not exist.
absl::StatusOr<absl::optional<std::string>> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::nullopt;
    return FileError("cannot open", path, errno);
  }
  std::string contents;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return FileError("cannot read", path, error);
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return contents;
}

std::string AliasFileName(absl::string_view alias) {
  return absl::StrCat(
      "alias-",
      absl::StrReplaceAll(alias.substr(std::strlen("alias/")), {{"/", "+"}}));
}

std::string WrapAssociatedData(absl::string_view uuid, uint64_t version) {
  std::string data = absl::StrCat("brook-data-key", uuid);
  PutFixed64BE(&data, version);
  return data;
}

}  // namespace

struct KeyDirectory::MasterKey {
  std::string uuid;
  bool enabled = true;
  std::map<uint64_t, std::string> versions;  // Version -> 32 key bytes.
};

KeyDirectory::KeyDirectory(std::string path, std::string region,
                           std::string account_id)
    : path_(std::move(path)),
      arn_prefix_(absl::StrCat("arn:aws:kms:", region, ":", account_id, ":")) {}

absl::StatusOr<std::string> KeyDirectory::ResolveLocked(
    absl::string_view key_id, bool create_service_key) {
  absl::string_view name = key_id;
  if (absl::StartsWith(name, "arn:")) {
    // Another region's or account's key is not in this directory.
    if (!absl::ConsumePrefix(&name, arn_prefix_)) return NotFound(key_id);
    if (absl::ConsumePrefix(&name, "key/")) {
      if (!IsUuid(name)) return NotFound(key_id);
      return std::string(name);
    }
    if (!absl::StartsWith(name, "alias/")) return NotFound(key_id);
  }
  if (!absl::StartsWith(name, "alias/")) {
    if (!IsUuid(name)) return NotFound(key_id);
    return std::string(name);
  }
  if (!IsAliasName(name)) return NotFound(key_id);
  BROOK_ASSIGN_OR_RETURN(
      absl::optional<std::string> target,
      ReadFile(absl::StrCat(path_, "/", AliasFileName(name))));
  if (target.has_value()) {
    const absl::string_view uuid = absl::StripAsciiWhitespace(*target);
    if (!IsUuid(uuid)) {
      return MakeError(ErrorName::kKMSInvalidStateException,
                       absl::StrCat("alias '", name, "' is damaged"));
    }
    return std::string(uuid);
  }
  if (!create_service_key || name != kServiceAlias) return NotFound(key_id);
  BROOK_ASSIGN_OR_RETURN(std::string uuid, CreateKeyLocked());
  BROOK_RETURN_IF_ERROR(WriteAliasLocked(kServiceAlias, uuid));
  return uuid;
}

absl::StatusOr<KeyDirectory::MasterKey> KeyDirectory::LoadLocked(
    absl::string_view uuid) {
  const std::string path = absl::StrCat(path_, "/key-", uuid);
  BROOK_ASSIGN_OR_RETURN(absl::optional<std::string> contents, ReadFile(path));
  if (!contents.has_value()) return NotFound(uuid);
  const absl::Status damaged = MakeError(
      ErrorName::kKMSInvalidStateException,
      absl::StrCat("key '", uuid, "' is damaged: its file cannot be read"));
  std::vector<absl::string_view> lines =
      absl::StrSplit(*contents, '\n', absl::SkipEmpty());
  if (lines.size() < 3 || lines[0] != kKeyHeader) return damaged;
  MasterKey key;
  key.uuid = std::string(uuid);
  if (lines[1] == "state enabled") {
    key.enabled = true;
  } else if (lines[1] == "state disabled") {
    key.enabled = false;
  } else {
    return damaged;
  }
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<absl::string_view> fields = absl::StrSplit(lines[i], ' ');
    uint64_t version = 0;
    if (fields.size() != 3 || fields[0] != "version" ||
        !absl::SimpleAtoi(fields[1], &version) ||
        fields[2].size() != 2 * AesGcmKey::kKeyBytes) {
      return damaged;
    }
    key.versions[version] = absl::HexStringToBytes(fields[2]);
  }
  return key;
}

absl::Status KeyDirectory::StoreLocked(const MasterKey& key) {
  if (::mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST) {
    return FileError("cannot create the key directory", path_, errno);
  }
  std::string contents = absl::StrCat(
      kKeyHeader, "\nstate ", key.enabled ? "enabled" : "disabled", "\n");
  for (const auto& [version, bytes] : key.versions) {
    absl::StrAppend(&contents, "version ", version, " ",
                    absl::BytesToHexString(bytes), "\n");
  }
  return WriteFileDurably(path_, absl::StrCat("key-", key.uuid), contents);
}

absl::StatusOr<std::string> KeyDirectory::CreateKeyLocked() {
  BROOK_ASSIGN_OR_RETURN(std::string random, RandomBytes(16));
  // A version 4 UUID (RFC 4122), as KMS's key ids.
  random[6] = static_cast<char>((random[6] & 0x0f) | 0x40);
  random[8] = static_cast<char>((random[8] & 0x3f) | 0x80);
  const std::string hex = absl::BytesToHexString(random);
  MasterKey key;
  key.uuid = absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                          hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                          hex.substr(20));
  BROOK_ASSIGN_OR_RETURN(AesGcmKey material, AesGcmKey::Generate());
  key.versions[1] = std::string(material.bytes());
  BROOK_RETURN_IF_ERROR(StoreLocked(key));
  return key.uuid;
}

absl::Status KeyDirectory::WriteAliasLocked(absl::string_view alias,
                                            absl::string_view uuid) {
  return WriteFileDurably(path_, AliasFileName(alias),
                          absl::StrCat(uuid, "\n"));
}

absl::StatusOr<std::string> KeyDirectory::CreateKey() {
  absl::MutexLock lock(&mu_);
  return CreateKeyLocked();
}

absl::Status KeyDirectory::CreateAlias(absl::string_view alias,
                                       absl::string_view key_id) {
  if (!IsAliasName(alias) || absl::StartsWith(alias, "alias/aws/")) {
    return InvalidArgument(absl::StrCat("'", alias,
                                        "' is not an alias name this key "
                                        "directory can create"));
  }
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(
      absl::optional<std::string> existing,
      ReadFile(absl::StrCat(path_, "/", AliasFileName(alias))));
  if (existing.has_value()) {
    return InvalidArgument(absl::StrCat("alias '", alias, "' exists"));
  }
  BROOK_ASSIGN_OR_RETURN(std::string uuid,
                         ResolveLocked(key_id, /*create_service_key=*/false));
  BROOK_RETURN_IF_ERROR(LoadLocked(uuid).status());
  return WriteAliasLocked(alias, uuid);
}

absl::Status KeyDirectory::SetEnabled(absl::string_view key_id, bool enabled) {
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(std::string uuid,
                         ResolveLocked(key_id, /*create_service_key=*/false));
  BROOK_ASSIGN_OR_RETURN(MasterKey key, LoadLocked(uuid));
  key.enabled = enabled;
  return StoreLocked(key);
}

absl::Status KeyDirectory::Disable(absl::string_view key_id) {
  return SetEnabled(key_id, false);
}

absl::Status KeyDirectory::Enable(absl::string_view key_id) {
  return SetEnabled(key_id, true);
}

absl::Status KeyDirectory::Rotate(absl::string_view key_id) {
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(std::string uuid,
                         ResolveLocked(key_id, /*create_service_key=*/false));
  BROOK_ASSIGN_OR_RETURN(MasterKey key, LoadLocked(uuid));
  BROOK_ASSIGN_OR_RETURN(AesGcmKey material, AesGcmKey::Generate());
  const uint64_t next =
      key.versions.empty() ? 1 : key.versions.rbegin()->first + 1;
  key.versions[next] = std::string(material.bytes());
  return StoreLocked(key);
}

absl::StatusOr<std::string> KeyDirectory::KeyArnOf(absl::string_view key_id) {
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(std::string uuid,
                         ResolveLocked(key_id, /*create_service_key=*/false));
  BROOK_RETURN_IF_ERROR(LoadLocked(uuid).status());
  return absl::StrCat(arn_prefix_, "key/", uuid);
}

absl::StatusOr<DataKey> KeyDirectory::GenerateDataKey(
    absl::string_view key_id) {
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(std::string uuid,
                         ResolveLocked(key_id, /*create_service_key=*/true));
  BROOK_ASSIGN_OR_RETURN(MasterKey master, LoadLocked(uuid));
  if (!master.enabled) {
    return MakeError(ErrorName::kKMSDisabledException,
                     absl::StrCat("key '", key_id, "' is disabled"));
  }
  const auto& [version, material] = *master.versions.rbegin();
  BROOK_ASSIGN_OR_RETURN(AesGcmKey wrapping, AesGcmKey::FromBytes(material));
  BROOK_ASSIGN_OR_RETURN(AesGcmKey data_key, AesGcmKey::Generate());
  BROOK_ASSIGN_OR_RETURN(std::string nonce,
                         RandomBytes(AesGcmKey::kNonceBytes));
  DataKey result;
  result.plaintext = std::string(data_key.bytes());
  result.wrapped.push_back(kWrappedVersion);
  PutLengthPrefixed(&result.wrapped, uuid);
  PutVarint64(&result.wrapped, version);
  result.wrapped += nonce;
  BROOK_RETURN_IF_ERROR(wrapping.Seal(nonce, WrapAssociatedData(uuid, version),
                                      result.plaintext, &result.wrapped));
  return result;
}

absl::StatusOr<std::string> KeyDirectory::DecryptDataKey(
    absl::string_view key_id, absl::string_view wrapped) {
  Decoder decoder(wrapped);
  absl::string_view uuid;
  uint64_t version = 0;
  absl::string_view nonce;
  absl::string_view format;
  if (!decoder.ReadBytes(1, &format) || format[0] != kWrappedVersion ||
      !decoder.ReadLengthPrefixed(&uuid) || !IsUuid(uuid) ||
      !decoder.ReadVarint64(&version) ||
      !decoder.ReadBytes(AesGcmKey::kNonceBytes, &nonce)) {
    return MakeError(ErrorName::kKMSInvalidStateException,
                     "the wrapped data key is damaged");
  }
  absl::MutexLock lock(&mu_);
  // The wrapping names its key; `key_id` (as the stream recorded it) must
  // name the same one, unless it is an alias that was pointed elsewhere.
  BROOK_ASSIGN_OR_RETURN(MasterKey master, LoadLocked(uuid));
  if (!master.enabled) {
    return MakeError(ErrorName::kKMSDisabledException,
                     absl::StrCat("key '", key_id, "' is disabled"));
  }
  auto material = master.versions.find(version);
  if (material == master.versions.end()) {
    return MakeError(ErrorName::kKMSInvalidStateException,
                     absl::StrCat("key '", key_id, "' has no version ", version,
                                  " to unwrap the data key with"));
  }
  BROOK_ASSIGN_OR_RETURN(AesGcmKey wrapping,
                         AesGcmKey::FromBytes(material->second));
  std::string plaintext;
  if (!wrapping
           .Open(nonce, WrapAssociatedData(uuid, version), decoder.remaining(),
                 &plaintext)
           .ok()) {
    return MakeError(ErrorName::kKMSInvalidStateException,
                     absl::StrCat("key '", key_id,
                                  "' cannot unwrap the data key: its "
                                  "material is not the one that wrapped it"));
  }
  return plaintext;
}

}  // namespace brook

// Where a client finds its AWS settings, in the order the AWS SDKs look
// (docs.aws.amazon.com/sdkref, "Standardized credential providers" and
// "AWS Region"):
//
//   credentials  the explicit ones; else AWS_ACCESS_KEY_ID and
//                AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN); else the
//                profile's aws_access_key_id / aws_secret_access_key /
//                aws_session_token in the shared credentials file
//                (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials),
//                then in the shared config file (AWS_CONFIG_FILE, default
//                ~/.aws/config);
//   profile      the explicit one; else AWS_PROFILE; else "default" (in the
//                config file, section "[profile NAME]", or "[default]");
//   region       the explicit one; else AWS_REGION; else AWS_DEFAULT_REGION;
//                else the profile's `region` in the config file;
//   endpoint     the explicit one; else AWS_ENDPOINT_URL_KINESIS; else
//                AWS_ENDPOINT_URL; else https://kinesis.REGION.amazonaws.com
//                (amazonaws.com.cn in the cn- regions).
//
// The environment is passed in (tests give fixtures); Environment::Process()
// reads the real one.
//
// Thread safety: pure functions over their arguments.

#ifndef BROOK_AWS_CREDENTIALS_H_
#define BROOK_AWS_CREDENTIALS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace brook {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Empty for long-term keys.

  bool empty() const { return access_key_id.empty(); }
};

// Environment variables, and the home directory that ~ means.
struct Environment {
  // Returns the variable's value, or nullopt when it is unset (an empty
  // value counts as unset, as the SDKs treat it).
  std::function<absl::optional<std::string>(absl::string_view)> get;

  static Environment Process();
};

// What the caller set explicitly; empty fields are resolved.
struct AwsSettings {
  AwsCredentials credentials;
  std::string profile;
  std::string region;
  std::string endpoint;
};

// ResolveAwsSettings()
//
// Fills every empty field of `explicit_settings` as described above.
// Fails with InvalidArgumentException when no credentials are found (naming
// where it looked), when a profile file names only half a key pair, or
// when no region is found and no endpoint was given; a file that does not
// exist is skipped, as the SDKs skip it.
absl::StatusOr<AwsSettings> ResolveAwsSettings(
    const AwsSettings& explicit_settings, const Environment& env);

}  // namespace brook

#endif  // BROOK_AWS_CREDENTIALS_H_

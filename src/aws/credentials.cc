#include "aws/credentials.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"

namespace brook {
namespace {

// One INI file's sections: name -> key -> value.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;

// Reads the shared files' INI form: "[section]" lines, "key = value" lines,
// and comments starting with '#' or ';'. A missing file is empty.
IniFile ReadIni(const std::string& path) {
  IniFile sections;
  std::ifstream in(path);
  std::string line;
  std::map<std::string, std::string>* section = nullptr;
  while (std::getline(in, line)) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[' && text.back() == ']') {
      text.remove_prefix(1);
      text.remove_suffix(1);
      section = &sections[std::string(absl::StripAsciiWhitespace(text))];
      continue;
    }
    const size_t equals = text.find('=');
    if (section == nullptr || equals == absl::string_view::npos) continue;
    (*section)[absl::AsciiStrToLower(
        absl::StripAsciiWhitespace(text.substr(0, equals)))] =
        std::string(absl::StripAsciiWhitespace(text.substr(equals + 1)));
  }
  return sections;
}

std::string FilePath(const Environment& env, absl::string_view variable,
                     absl::string_view default_name) {
  if (absl::optional<std::string> path = env.get(variable)) return *path;
  const std::string home = env.get("HOME").value_or("");
  return absl::StrCat(home, "/.aws/", default_name);
}

std::string Value(const IniFile& file, const std::string& section,
                  const std::string& key) {
  auto s = file.find(section);
  if (s == file.end()) return "";
  auto v = s->second.find(key);
  return v == s->second.end() ? "" : v->second;
}

// The profile's keys in one file's section, if it has any.
absl::StatusOr<AwsCredentials> CredentialsIn(const IniFile& file,
                                             const std::string& section,
                                             const std::string& path) {
  AwsCredentials credentials{Value(file, section, "aws_access_key_id"),
                             Value(file, section, "aws_secret_access_key"),
                             Value(file, section, "aws_session_token")};
  if (credentials.access_key_id.empty() !=
      credentials.secret_access_key.empty()) {
    return InvalidArgument(absl::StrCat(
        "section [", section, "] of ", path,
        " has only one of aws_access_key_id and aws_secret_access_key"));
  }
  return credentials;
}

absl::StatusOr<AwsCredentials> ResolveCredentials(
    const AwsCredentials& explicit_credentials, const std::string& profile,
    const Environment& env, const IniFile& config,
    const std::string& config_path) {
  if (!explicit_credentials.empty()) return explicit_credentials;
  absl::optional<std::string> id = env.get("AWS_ACCESS_KEY_ID");
  absl::optional<std::string> secret = env.get("AWS_SECRET_ACCESS_KEY");
  if (id.has_value() && secret.has_value()) {
    return AwsCredentials{*id, *secret,
                          env.get("AWS_SESSION_TOKEN").value_or("")};
  }
  const std::string credentials_path =
      FilePath(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  absl::StatusOr<AwsCredentials> from_credentials =
      CredentialsIn(ReadIni(credentials_path), profile, credentials_path);
  if (!from_credentials.ok() || !from_credentials->empty()) {
    return from_credentials;
  }
  const std::string config_section =
      profile == "default" ? profile : absl::StrCat("profile ", profile);
  absl::StatusOr<AwsCredentials> from_config =
      CredentialsIn(config, config_section, config_path);
  if (!from_config.ok() || !from_config->empty()) return from_config;
  return InvalidArgument(absl::StrCat(
      "no AWS credentials: none given, AWS_ACCESS_KEY_ID and "
      "AWS_SECRET_ACCESS_KEY are not set, and profile '",
      profile, "' has no keys in ", credentials_path, " or ", config_path));
}

std::string DefaultEndpoint(absl::string_view region) {
  const absl::string_view domain =
      absl::StartsWith(region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return absl::StrCat("https://kinesis.", region, ".", domain);
}

}  // namespace

Environment Environment::Process() {
  return Environment{[](absl::string_view name) -> absl::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr || *value == '\0') return absl::nullopt;
    return std::string(value);
  }};
}

absl::StatusOr<AwsSettings> ResolveAwsSettings(
    const AwsSettings& explicit_settings, const Environment& env) {
  AwsSettings settings = explicit_settings;
  if (settings.profile.empty()) {
    settings.profile = env.get("AWS_PROFILE").value_or("default");
  }
  const std::string config_path = FilePath(env, "AWS_CONFIG_FILE", "config");
  const IniFile config = ReadIni(config_path);
  const std::string config_section =
      settings.profile == "default"
          ? settings.profile
          : absl::StrCat("profile ", settings.profile);
  absl::StatusOr<AwsCredentials> credentials = ResolveCredentials(
      settings.credentials, settings.profile, env, config, config_path);
  if (!credentials.ok()) return credentials.status();
  settings.credentials = *std::move(credentials);
  if (settings.region.empty()) {
    settings.region =
        env.get("AWS_REGION")
            .value_or(env.get("AWS_DEFAULT_REGION")
                          .value_or(Value(config, config_section, "region")));
  }
  if (settings.endpoint.empty()) {
    settings.endpoint = env.get("AWS_ENDPOINT_URL_KINESIS")
                            .value_or(env.get("AWS_ENDPOINT_URL").value_or(""));
  }
  if (settings.endpoint.empty()) {
    if (settings.region.empty()) {
      return InvalidArgument(
          "no AWS region: none given, AWS_REGION and AWS_DEFAULT_REGION are "
          "not set, and the profile has no region; give a region or an "
          "endpoint");
    }
    settings.endpoint = DefaultEndpoint(settings.region);
  }
  if (settings.region.empty()) settings.region = "us-east-1";
  return settings;
}

}  // namespace brook

// The SDKs' order of settings, on fixture files: explicit values, then the
// environment, then the shared credentials file, then the config file.

#include "aws/credentials.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::brook::testing::HasErrorName;

// An environment of the given variables that points the shared files at
// the fixtures.
Environment Env(std::map<std::string, std::string> variables) {
  variables.emplace("AWS_SHARED_CREDENTIALS_FILE",
                    BROOK_AWS_FIXTURES "/credentials");
  variables.emplace("AWS_CONFIG_FILE", BROOK_AWS_FIXTURES "/config");
  return Environment{
      [variables](absl::string_view name) -> absl::optional<std::string> {
        auto it = variables.find(std::string(name));
        if (it == variables.end()) return absl::nullopt;
        return it->second;
      }};
}

TEST(CredentialsTest, ExplicitSettingsWin) {
  AwsSettings wanted;
  wanted.credentials = {"AKIDGIVEN", "given-secret", ""};
  wanted.region = "us-west-2";
  ASSERT_OK_AND_ASSIGN(
      AwsSettings settings,
      ResolveAwsSettings(wanted, Env({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                      {"AWS_SECRET_ACCESS_KEY", "env"},
                                      {"AWS_REGION", "eu-central-1"}})));
  EXPECT_EQ(settings.credentials.access_key_id, "AKIDGIVEN");
  EXPECT_EQ(settings.region, "us-west-2");
  EXPECT_EQ(settings.endpoint, "https://kinesis.us-west-2.amazonaws.com");
}

TEST(CredentialsTest, EnvironmentBeforeFiles) {
  ASSERT_OK_AND_ASSIGN(
      AwsSettings settings,
      ResolveAwsSettings({}, Env({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                  {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                  {"AWS_SESSION_TOKEN", "env-token"},
                                  {"AWS_DEFAULT_REGION", "us-east-2"}})));
  EXPECT_EQ(settings.credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(settings.credentials.secret_access_key, "env-secret");
  EXPECT_EQ(settings.credentials.session_token, "env-token");
  EXPECT_EQ(settings.region, "us-east-2");
}

TEST(CredentialsTest, DefaultProfileFromTheFiles) {
  ASSERT_OK_AND_ASSIGN(AwsSettings settings, ResolveAwsSettings({}, Env({})));
  EXPECT_EQ(settings.profile, "default");
  EXPECT_EQ(settings.credentials.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(settings.credentials.secret_access_key, "default-secret");
  EXPECT_EQ(settings.region, "eu-west-1");
}

TEST(CredentialsTest, AwsProfileSelectsASection) {
  ASSERT_OK_AND_ASSIGN(AwsSettings settings,
                       ResolveAwsSettings({}, Env({{"AWS_PROFILE", "work"}})));
  EXPECT_EQ(settings.credentials.access_key_id, "AKIDWORK");
  EXPECT_EQ(settings.credentials.session_token, "work-token");
  EXPECT_EQ(settings.region, "ap-southeast-2");
}

TEST(CredentialsTest, KeysInTheConfigFileAndChinaEndpoints) {
  AwsSettings wanted;
  wanted.profile = "config-only";
  ASSERT_OK_AND_ASSIGN(AwsSettings settings,
                       ResolveAwsSettings(wanted, Env({})));
  EXPECT_EQ(settings.credentials.access_key_id, "AKIDCONFIG");
  EXPECT_EQ(settings.endpoint, "https://kinesis.cn-north-1.amazonaws.com.cn");
}

TEST(CredentialsTest, EndpointFromTheEnvironment) {
  ASSERT_OK_AND_ASSIGN(
      AwsSettings settings,
      ResolveAwsSettings(
          {}, Env({{"AWS_ENDPOINT_URL", "http://general:1"},
                   {"AWS_ENDPOINT_URL_KINESIS", "http://kinesis:2"}})));
  EXPECT_EQ(settings.endpoint, "http://kinesis:2");
  ASSERT_OK_AND_ASSIGN(
      settings,
      ResolveAwsSettings({}, Env({{"AWS_ENDPOINT_URL", "http://general:1"}})));
  EXPECT_EQ(settings.endpoint, "http://general:1");
}

TEST(CredentialsTest, FailuresNameWhereTheyLooked) {
  AwsSettings wanted;
  wanted.profile = "half";
  EXPECT_THAT(ResolveAwsSettings(wanted, Env({})),
              HasErrorName(ErrorName::kInvalidArgumentException));
  wanted.profile = "nobody";
  absl::StatusOr<AwsSettings> none = ResolveAwsSettings(wanted, Env({}));
  EXPECT_THAT(none, HasErrorName(ErrorName::kInvalidArgumentException));
  EXPECT_THAT(std::string(none.status().message()),
              ::testing::HasSubstr("profile 'nobody'"));
  // Keys but neither region nor endpoint: nowhere to send requests.
  Environment no_files{
      [](absl::string_view name) -> absl::optional<std::string> {
        if (name == "AWS_ACCESS_KEY_ID") return "AKID";
        if (name == "AWS_SECRET_ACCESS_KEY") return "secret";
        if (name == "HOME") return "/nonexistent";
        return absl::nullopt;
      }};
  EXPECT_THAT(ResolveAwsSettings({}, no_files),
              HasErrorName(ErrorName::kInvalidArgumentException));
}

}  // namespace
}  // namespace brook

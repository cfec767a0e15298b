#include "dbkeep/storage/s3/s3_credentials.hpp"

#include <fstream>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/text.hpp"

namespace dbkeep::storage::s3 {
namespace {

std::optional<std::string> lookup(const core::Environment& environment, const std::string& name) {
  auto found = environment.find(name);
  if (found == environment.end() || found->second.empty()) return std::nullopt;
  return found->second;
}

S3Credentials registered(S3Credentials credentials) {
  log::register_secret(credentials.secret_access_key);
  if (credentials.session_token) log::register_secret(*credentials.session_token);
  return credentials;
}

}  // namespace

Result<std::optional<S3Credentials>> read_shared_credentials(const std::filesystem::path& file,
                                                             const std::string& profile) {
  std::ifstream in(file);
  if (!in) return std::optional<S3Credentials>{};
  S3Credentials credentials;
  bool in_profile = false;
  std::string line;
  while (std::getline(in, line)) {
    line = core::trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = core::trim(line.substr(1, line.size() - 2)) == profile;
      continue;
    }
    auto equals = line.find('=');
    if (!in_profile || equals == std::string::npos) continue;
    std::string name = core::trim(line.substr(0, equals));
    std::string value = core::trim(line.substr(equals + 1));
    if (name == "aws_access_key_id") credentials.access_key_id = value;
    if (name == "aws_secret_access_key") credentials.secret_access_key = value;
    if (name == "aws_session_token" && !value.empty()) credentials.session_token = value;
  }
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return std::optional<S3Credentials>{};
  }
  return std::optional<S3Credentials>{std::move(credentials)};
}

Result<S3Credentials> resolve_s3_credentials(const core::S3Config& config,
                                             const core::Environment& environment) {
  if (config.access_key_id || config.secret_access_key) {
    if (!config.access_key_id || !config.secret_access_key) {
      return usage_error(
          "[repository] access_key_id_file and secret_access_key_file must be set together");
    }
    return registered({*config.access_key_id, *config.secret_access_key, config.session_token});
  }
  auto key = lookup(environment, "AWS_ACCESS_KEY_ID");
  auto secret = lookup(environment, "AWS_SECRET_ACCESS_KEY");
  if (key && secret) {
    return registered({*key, *secret, lookup(environment, "AWS_SESSION_TOKEN")});
  }
  std::filesystem::path file;
  if (auto custom = lookup(environment, "AWS_SHARED_CREDENTIALS_FILE")) {
    file = *custom;
  } else if (auto home = lookup(environment, "HOME")) {
    file = std::filesystem::path(*home) / ".aws" / "credentials";
  }
  std::string profile = lookup(environment, "AWS_PROFILE").value_or("default");
  if (!file.empty()) {
    TRY_ASSIGN(auto shared, read_shared_credentials(file, profile));
    if (shared) return registered(std::move(*shared));
  }
  return usage_error(
      "no S3 credentials: set [repository] access_key_id_file and secret_access_key_file, the "
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, or profile '" +
      profile + "' in " + (file.empty() ? std::string("~/.aws/credentials") : file.string()));
}

}  // namespace dbkeep::storage::s3

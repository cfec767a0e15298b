#pragma once
// The one reader of secret files: password_file, passphrase_file, key_file, the S3 *_file keys,
// smtp_password_file, webhook_url_file and restore's --password-file all follow the same rule.
//
// A secret file must be a regular file (symlinks to one are followed) that neither its group
// nor others can read; anything else is refused with a kUsage error naming the file and the
// fix (chmod 600), never its content. An empty secret is refused. What is read is registered
// with the log (log::register_secret), so it can never appear in a log line.

#include <filesystem>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

enum class SecretForm {
  kLine,   // one line: one trailing "\n" (or "\r\n") is dropped; more lines are refused
  kBytes,  // the content exactly (key files: the key is a hash of every byte)
};

// `what` names the file's origin in messages, e.g. "dbkeep.toml:9: [set 'db'.mysql]
// password_file" or "--password-file".
Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view what,
                                     SecretForm form = SecretForm::kLine);

}  // namespace dbkeep::core

#include "dbkeep/ops/config_template.hpp"

#include <cstdio>

namespace dbkeep::ops {

std::string toml_string(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\t':
        quoted += "\\t";
        break;
      case '\r':
        quoted += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
          quoted += escaped;
        } else {
          quoted += c;
        }
    }
  }
  return quoted + "\"";
}

namespace {

std::string repository_section(const InitAnswers& answers) {
  std::string text = "[repository]\n";
  if (answers.repository.starts_with("s3://")) {
    text += "url = " + toml_string(answers.repository) +
            "\n"
            "# endpoint = \"https://s3.example.net\"   # for stores other than AWS (docs/s3.md)\n"
            "# region = \"us-east-1\"\n"
            "# Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, or\n"
            "# access_key_id_file = \"/etc/dbkeep/s3.key-id\"\n"
            "# secret_access_key_file = \"/etc/dbkeep/s3.secret\"\n";
  } else {
    text += "path = " + toml_string(answers.repository) + "\n";
  }
  return text +
         "encryption = \"none\"          # or \"repokey\" with passphrase_file "
         "(docs/encryption.md)\n";
}

std::string source_sections(const InitAnswers& answers) {
  if (answers.source == "sqlite") {
    return "[set.sqlite]\npath = " + toml_string(answers.sqlite_path) + "\n";
  }
  std::string text = "[set.mysql]\nsocket = " + toml_string(answers.mysql_socket) +
                     "\nuser = " + toml_string(answers.mysql_user) + "\n";
  if (!answers.mysql_password_file.empty()) {
    text += "password_file = " + toml_string(answers.mysql_password_file) + "   # mode 0600\n";
  }
  if (answers.method == "snapshot") {
    text += "\n[set.snapshot]\nprovider = " + toml_string(answers.snapshot_provider) +
            "\nvolume = " + toml_string(answers.snapshot_volume) +
            "\nmount_point = " + toml_string(answers.snapshot_mount_point) + "\n";
  }
  return text;
}

}  // namespace

std::string render_config(const InitAnswers& answers) {
  std::string text =
      "# dbkeep configuration written by `dbkeep init --interactive`.\n"
      "# Every key is explained in the commented example (`dbkeep init` without\n"
      "# --interactive, or share/doc/dbkeep/dbkeep.example.toml). Check it with\n"
      "# `dbkeep check-config`.\n\n";
  text += repository_section(answers);
  text += "\n[log]\nfile = " + toml_string(answers.log_file) + "\n";
  text += "\n[[set]]\nname = " + toml_string(answers.set_name) +
          "\nsource = " + toml_string(answers.source) +
          "\nmethod = " + toml_string(answers.method) + "\ncompression = \"zstd\"\n\n";
  text += source_sections(answers);
  text += "\n[set.retention]         # a backup is kept when any rule keeps it\n";
  text += "keep_last = " + std::to_string(answers.keep_last) + "\n";
  if (answers.keep_daily > 0) text += "keep_daily = " + std::to_string(answers.keep_daily) + "\n";
  if (answers.keep_weekly > 0) {
    text += "keep_weekly = " + std::to_string(answers.keep_weekly) + "\n";
  }
  if (answers.keep_monthly > 0) {
    text += "keep_monthly = " + std::to_string(answers.keep_monthly) + "\n";
  }
  text += "\n[set.schedule]          # dbkeep schedule install, or dbkeep daemon\ncron = " +
          toml_string(answers.cron) + "\n";
  return text;
}

}  // namespace dbkeep::ops

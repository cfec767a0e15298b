#pragma once
// Tiny servers on 127.0.0.1 for notification tests, written in python3 (present on these
// machines; tests skip visibly without it). Each one appends what it receives, one JSON object
// per line, to a file the test reads.
//   HttpListener: answers POSTs with the given statuses in turn (then 200), recording
//                 {"status", "path", "content_type", "body"}.
//   SmtpListener: a plain SMTP server (python 3.11 smtpd), recording {"from", "to", "data"}.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/child_process.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::test {

bool python3_available();

// One JSON object per line of `file` (what the listeners record); empty when there is no file.
std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& file);

class LoopbackListener {
 public:
  enum class Kind { kHttp, kSmtp };
  // `statuses`: HTTP statuses to answer in turn (HTTP only).
  LoopbackListener(Kind kind, std::vector<int> statuses = {});
  ~LoopbackListener();

  [[nodiscard]] bool started() const { return port_ != 0; }
  [[nodiscard]] int port() const { return port_; }
  // Everything received so far.
  [[nodiscard]] std::vector<nlohmann::json> received() const;

 private:
  core::TempDir dir_ = make_temp_dir();
  std::optional<core::ChildProcess> process_;
  int port_ = 0;
};

}  // namespace dbkeep::test

#include "dbkeep/storage/access_probe.hpp"

#include <chrono>
#include <random>

namespace dbkeep::storage {

std::vector<AccessCheck> probe_access(Backend& backend) {
  std::mt19937_64 random{std::random_device{}()};
  const std::string key = ".dbkeep-probe-" + std::to_string(random() % 1000000000);
  const std::string content = "dbkeep access probe";
  const std::string where = " in " + backend.describe();
  std::vector<AccessCheck> checks;
  auto problem = [](const Result<void>& outcome) {
    return outcome ? std::string() : outcome.error().message;
  };

  auto put = write_all(backend, key, content);
  checks.push_back({"put probe object" + where + " (s3:PutObject)", problem(put)});
  if (put) {
    auto got = read_all(backend, key);
    std::string get_problem = !got              ? got.error().message
                              : *got != content ? "read back different bytes"
                                                : std::string();
    checks.push_back({"get probe object (s3:GetObject)", get_problem});
  }
  auto listed = backend.list(".dbkeep-probe-");
  std::string list_problem = listed ? "" : listed.error().message;
  if (listed && put) {
    bool found = false;
    for (const auto& object : *listed) found |= object.key == key;
    if (!found) list_problem = "the probe object was not listed";
  }
  checks.push_back({"list objects (s3:ListBucket)", list_problem});
  if (put) {
    checks.push_back({"delete probe object (s3:DeleteObject)", problem(backend.remove(key))});
  }
  return checks;
}

}  // namespace dbkeep::storage

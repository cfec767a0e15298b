#pragma once
// check-config's test of a repository's permissions: writes, reads, lists and deletes a small
// probe object, and names the permission each failing step needs (for S3, the IAM action).

#include <string>
#include <vector>

#include "dbkeep/storage/backend.hpp"

namespace dbkeep::storage {

struct AccessCheck {
  std::string what;     // "put probe object (s3:PutObject)"
  std::string problem;  // empty when the step worked
};

// Runs every step it can (a failed put skips get and delete). Leaves nothing behind on success.
std::vector<AccessCheck> probe_access(Backend& backend);

}  // namespace dbkeep::storage

#pragma once
// [set.restore] owner: who owns restored files and runs a restored server. Written as a user
// ("mysql"), a user and group ("mysql:backup"), or numbers ("999", "999:999" — the uid and gid
// the official MySQL and MariaDB images use, which often have no account on the host that
// holds the volume). Parsed once with the config; resolved to ids when a restore runs.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

struct FileOwner {
  std::string user;                  // a user name or a decimal uid, as written
  std::optional<std::string> group;  // a group name or a decimal gid; none: the user's group

  // Accepts "user", "user:group", "uid", "uid:gid" (names as useradd allows them, numbers in
  // decimal below 2^32-1); anything else is a kUsage error naming what is accepted.
  static Result<FileOwner> parse(std::string_view text);
  static FileOwner named(std::string user) { return FileOwner{std::move(user), std::nullopt}; }

  std::string text() const;  // as written: "999:999", "mysql"
  bool operator==(const FileOwner&) const = default;
};

struct ResolvedOwner {
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<std::string> account;  // the uid's account name on this machine, if it has one
};

// Looks names up in this machine's user and group databases. A numeric uid needs no account;
// without a group its gid is the account's primary group, or the same number when the uid has
// no account (the images' 999:999). An unknown name is a kUsage error.
Result<ResolvedOwner> resolve_owner(const FileOwner& owner);

// What `mariadbd --user` is given to run a restored or scratch server as `owner`. The server
// looks the value up itself, so the uid needs an account here: a kUsage error says so when it
// has none (the files can still be restored; only starting a server needs the account).
Result<std::string> server_user(const FileOwner& owner);

}  // namespace dbkeep::core

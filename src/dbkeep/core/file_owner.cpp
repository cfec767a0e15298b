#include "dbkeep/core/file_owner.hpp"

#include <grp.h>
#include <pwd.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>

namespace dbkeep::core {
namespace {

bool is_number(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// useradd's rule (NAME_REGEX default): a letter or underscore first, then letters, digits,
// '_', '-' and '.', an optional trailing '$' (machine accounts); at most 32 characters.
bool is_account_name(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  const auto first = static_cast<unsigned char>(text.front());
  if (!std::isalpha(first) && first != '_') return false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool last = i + 1 == text.size();
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.' && !(last && c == '$')) return false;
  }
  return true;
}

// uid_t and gid_t are 32 bits; (uid_t)-1 means "no change" to chown, so it is refused too.
std::optional<std::uint32_t> id_number(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value == std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return value;
}

bool is_id_or_name(std::string_view text) {
  return is_number(text) ? id_number(text).has_value() : is_account_name(text);
}

}  // namespace

Result<FileOwner> FileOwner::parse(std::string_view text) {
  const auto colon = text.find(':');
  FileOwner owner;
  owner.user = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) owner.group = std::string(text.substr(colon + 1));
  if (!is_id_or_name(owner.user) || (owner.group && !is_id_or_name(*owner.group))) {
    return usage_error("owner \"" + std::string(text) +
                       "\" is not a user, user:group, uid or uid:gid (e.g. \"mysql\" or "
                       "\"999:999\")");
  }
  return owner;
}

std::string FileOwner::text() const {
  return group ? user + ":" + *group : user;
}

Result<ResolvedOwner> resolve_owner(const FileOwner& owner) {
  ResolvedOwner resolved;
  const passwd* account = nullptr;
  if (is_number(owner.user)) {
    resolved.uid = *id_number(owner.user);
    account = ::getpwuid(resolved.uid);
    resolved.gid = account != nullptr ? account->pw_gid : resolved.uid;
  } else {
    account = ::getpwnam(owner.user.c_str());
    if (account == nullptr) {
      return usage_error("restore owner '" + owner.user +
                         "' is not a user on this machine (set [set.restore] owner to a user "
                         "here, or to numbers such as \"999:999\")");
    }
    resolved.uid = account->pw_uid;
    resolved.gid = account->pw_gid;
  }
  if (account != nullptr) resolved.account = account->pw_name;
  if (owner.group) {
    if (is_number(*owner.group)) {
      resolved.gid = *id_number(*owner.group);
    } else {
      const group* found = ::getgrnam(owner.group->c_str());
      if (found == nullptr) {
        return usage_error("restore owner's group '" + *owner.group +
                           "' is not a group on this machine (set [set.restore] owner)");
      }
      resolved.gid = found->gr_gid;
    }
  }
  return resolved;
}

Result<std::string> server_user(const FileOwner& owner) {
  TRY_ASSIGN(auto resolved, resolve_owner(owner));
  if (!resolved.account) {
    return usage_error("uid " + owner.user +
                       " has no account on this machine, and mariadbd --user needs one to run a "
                       "server on the restored files: add one (useradd --uid " +
                       owner.user + " mysql) or restore without starting a server");
  }
  return *resolved.account;
}

}  // namespace dbkeep::core

#include "dbkeep/repo/backup_id.hpp"

#include <cctype>
#include <charconv>
#include <tuple>

namespace dbkeep::repo {

std::string make_backup_id(core::Seconds started_at,
                           const std::function<bool(const std::string&)>& taken) {
  std::string base = core::format_compact_utc(started_at);
  if (!taken(base)) return base;
  for (int suffix = 2;; ++suffix) {
    std::string candidate = base + "_" + std::to_string(suffix);
    if (!taken(candidate)) return candidate;
  }
}

bool is_backup_id(std::string_view text) {
  if (text.size() < 15) return false;
  for (std::size_t i = 0; i < 15; ++i) {
    bool digit = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
    if (i == 8 ? text[i] != '_' : !digit) return false;
  }
  if (text.size() == 15) return true;
  if (text[15] != '_' || text.size() == 16) return false;
  for (std::size_t i = 16; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

namespace {

// The same-second counter of a well-formed id: 1 without a suffix, else the suffix.
unsigned long long suffix_number(std::string_view id) {
  if (id.size() <= 16) return 1;
  unsigned long long number = 0;
  std::from_chars(id.data() + 16, id.data() + id.size(), number);
  return number;
}

}  // namespace

bool backup_id_less(std::string_view a, std::string_view b) {
  if (!is_backup_id(a) || !is_backup_id(b)) return a < b;
  return std::tuple(a.substr(0, 15), suffix_number(a)) <
         std::tuple(b.substr(0, 15), suffix_number(b));
}

}  // namespace dbkeep::repo

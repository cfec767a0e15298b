#include "dbkeep/restore/table_selection.hpp"

#include <algorithm>

namespace dbkeep::restore {
namespace {

std::string quote(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

// One name of an entry, from `at`: `quoted` (`` doubles a backquote) or plain up to the next
// '.' or ','; `at` is left on the character after it.
Result<std::string> next_name(std::string_view list, std::size_t& at, bool* star) {
  *star = false;
  std::string name;
  if (at < list.size() && list[at] == '`') {
    for (++at;; ++at) {
      if (at >= list.size())
        return usage_error("--only: unclosed ` in '" + std::string(list) + "'");
      if (list[at] == '`') {
        if (at + 1 < list.size() && list[at + 1] == '`') {
          name += '`';
          ++at;
          continue;
        }
        ++at;
        return name;
      }
      name += list[at];
    }
  }
  while (at < list.size() && list[at] != '.' && list[at] != ',') name += list[at++];
  while (!name.empty() && name.back() == ' ') name.pop_back();
  while (!name.empty() && name.front() == ' ') name.erase(name.begin());
  *star = name == "*";
  return name;
}

}  // namespace

std::string TableName::quoted() const {
  return quote(schema) + "." + quote(table);
}

Result<TableSelection> TableSelection::parse(std::string_view list) {
  TableSelection selection;
  const std::string whole(list);
  const std::string shape =
      "name a table as schema.table and a whole schema as schema.* (got '" + whole + "')";
  std::size_t at = 0;
  while (at < list.size() && list[at] == ' ') ++at;
  if (at == list.size()) return usage_error("--only needs at least one table: " + shape);
  while (at <= list.size()) {
    while (at < list.size() && list[at] == ' ') ++at;
    bool star = false;
    TRY_ASSIGN(auto schema, next_name(list, at, &star));
    if (schema.empty() || star || at >= list.size() || list[at] != '.') {
      return usage_error("--only: " + shape);
    }
    ++at;
    TRY_ASSIGN(auto table, next_name(list, at, &star));
    while (at < list.size() && list[at] == ' ') ++at;
    if (table.empty() || (at < list.size() && list[at] != ',')) {
      return usage_error("--only: " + shape);
    }
    if (star) {
      selection.whole_schemas_.insert(schema);
    } else {
      selection.tables_.insert({schema, table});
    }
    if (at == list.size()) break;
    ++at;  // the comma
  }
  return selection;
}

bool TableSelection::wants_schema(const std::string& schema) const {
  return whole_schemas_.contains(schema) ||
         std::ranges::any_of(tables_, [&](const TableName& name) { return name.schema == schema; });
}

bool TableSelection::wants_whole_schema(const std::string& schema) const {
  return whole_schemas_.contains(schema);
}

bool TableSelection::wants_table(const std::string& schema, const std::string& table) const {
  return whole_schemas_.contains(schema) || tables_.contains({schema, table});
}

Result<void> TableSelection::check_against(const std::vector<TableName>& tables,
                                           const std::string& backup) const {
  std::vector<std::string> unmatched;
  for (const auto& schema : whole_schemas_) {
    if (std::ranges::none_of(tables, [&](const TableName& t) { return t.schema == schema; })) {
      unmatched.push_back(quote(schema) + ".*");
    }
  }
  for (const auto& name : tables_) {
    if (std::ranges::find(tables, name) == tables.end()) unmatched.push_back(name.quoted());
  }
  if (unmatched.empty()) return {};
  std::string missing, held;
  for (const auto& name : unmatched) missing += (missing.empty() ? "" : ", ") + name;
  constexpr std::size_t kListed = 40;
  for (std::size_t i = 0; i < tables.size() && i < kListed; ++i) {
    held += (i ? ", " : "") + tables[i].quoted();
  }
  if (tables.size() > kListed) {
    held += " and " + std::to_string(tables.size() - kListed) + " more (all in: dbkeep show " +
            backup + " --tables)";
  }
  return usage_error("--only names what backup " + backup + " does not hold: " + missing +
                     "; nothing was written. It holds " + std::to_string(tables.size()) +
                     " table(s): " + (held.empty() ? "none" : held));
}

std::vector<TableName> TableSelection::select(const std::vector<TableName>& tables) const {
  std::vector<TableName> selected;
  for (const auto& name : tables) {
    if (wants_table(name.schema, name.table)) selected.push_back(name);
  }
  return selected;
}

std::string TableSelection::text() const {
  std::string out;
  for (const auto& schema : whole_schemas_) out += (out.empty() ? "" : ",") + quote(schema) + ".*";
  for (const auto& name : tables_) out += (out.empty() ? "" : ",") + name.quoted();
  return out;
}

}  // namespace dbkeep::restore

#include "dbkeep/repo/table_inventory.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace dbkeep::repo {
namespace {

using Key = std::pair<std::string, std::string>;

std::optional<std::uint64_t> number(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_number_integer()) return std::nullopt;
  auto value = found->get<std::int64_t>();
  return value < 0 ? std::nullopt : std::optional<std::uint64_t>(static_cast<std::uint64_t>(value));
}

std::string text(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

// "shop/orders.ibd" or "shop/events#P#p2024.ibd" → {shop, orders}; nullopt for other files.
std::optional<Key> table_of_datadir_file(const std::string& path) {
  auto slash = path.find('/');
  if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos) {
    return std::nullopt;
  }
  std::string name = path.substr(slash + 1);
  auto dot = name.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string extension = name.substr(dot + 1);
  if (extension != "ibd" && extension != "frm" && extension != "MYD" && extension != "MYI" &&
      extension != "MAD" && extension != "MAI") {
    return std::nullopt;
  }
  name.resize(dot);
  if (auto partition = name.find("#P#"); partition != std::string::npos) name.resize(partition);
  if (auto partition = name.find("#p#"); partition != std::string::npos) name.resize(partition);
  const std::string schema = path.substr(0, slash);
  if (schema == "mysql" || schema == "sys" || schema == "performance_schema") return std::nullopt;
  return Key{schema, name};
}

std::vector<TableEntry> from_files(const Manifest& manifest) {
  std::map<Key, TableEntry> tables;
  for (const auto& file : manifest.files) {
    const std::string kind = file.string_attribute("kind");
    if (kind == "table-schema") {
      Key key{file.string_attribute("schema"), file.string_attribute("table")};
      tables[key].schema = key.first;
      tables[key].table = key.second;
    } else if (kind.empty() && manifest.method == core::Method::kSnapshot) {
      if (auto key = table_of_datadir_file(file.stored.path)) {
        auto& entry = tables[*key];
        entry.schema = key->first;
        entry.table = key->second;
        entry.bytes = entry.bytes.value_or(0) + file.stored.size;
      }
    }
  }
  std::vector<TableEntry> out;
  for (auto& [key, entry] : tables) out.push_back(std::move(entry));
  return out;
}

}  // namespace

void record_tables(nlohmann::json& facts, const std::vector<TableEntry>& tables) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& table : tables) {
    nlohmann::json one = {{"schema", table.schema}, {"table", table.table}};
    if (!table.engine.empty()) one["engine"] = table.engine;
    if (table.rows) one["rows"] = *table.rows;
    if (table.bytes) one["bytes"] = *table.bytes;
    list.push_back(std::move(one));
  }
  facts["tables"] = std::move(list);
}

std::vector<TableEntry> backup_tables(const Manifest& manifest) {
  std::vector<TableEntry> tables;
  auto recorded = manifest.facts.find("tables");
  if (recorded != manifest.facts.end() && recorded->is_array()) {
    for (const auto& one : *recorded) {
      if (!one.is_object()) continue;
      tables.push_back({text(one, "schema"), text(one, "table"), text(one, "engine"),
                        number(one, "rows"), false, number(one, "bytes")});
    }
  } else {
    tables = from_files(manifest);
  }
  // A logical dump counted every row: that beats the server's estimate.
  std::map<Key, std::uint64_t> counted;
  for (const auto& file : manifest.files) {
    if (file.string_attribute("kind") != "table-data") continue;
    counted[{file.string_attribute("schema"), file.string_attribute("table")}] +=
        number(file.attributes, "rows").value_or(0);
  }
  if (manifest.method == core::Method::kLogical) {
    for (auto& table : tables) {
      auto found = counted.find({table.schema, table.table});
      table.rows = found == counted.end() ? 0 : found->second;
      table.rows_exact = true;
    }
  }
  std::ranges::sort(tables, {}, [](const TableEntry& t) { return std::tie(t.schema, t.table); });
  return tables;
}

}  // namespace dbkeep::repo

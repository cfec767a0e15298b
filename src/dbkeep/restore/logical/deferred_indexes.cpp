#include "dbkeep/restore/logical/deferred_indexes.hpp"

#include <optional>

namespace dbkeep::restore::logical {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string_view::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  lines.push_back(text.substr(start));
  return lines;
}

std::string_view trimmed_definition(std::string_view line) {
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (!line.empty() && line.back() == ',') line.remove_suffix(1);
  return line;
}

// The backquoted identifier at the start of `text`, unescaped; nullopt when there is none.
std::optional<std::string> leading_identifier(std::string_view text, std::size_t* length) {
  if (text.empty() || text.front() != '`') return std::nullopt;
  std::string name;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '`') {
      if (i + 1 < text.size() && text[i + 1] == '`') {
        name += '`';
        ++i;
        continue;
      }
      if (length != nullptr) *length = i + 1;
      return name;
    }
    name += text[i];
  }
  return std::nullopt;
}

bool is_deferrable_key(std::string_view definition) {
  return definition.starts_with("KEY `") || definition.starts_with("UNIQUE KEY `");
}

// First column of a key definition: KEY `name` (`col`…) → col.
std::optional<std::string> first_key_column(std::string_view definition) {
  std::size_t at = definition.find('`');
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t length = 0;
  if (!leading_identifier(definition.substr(at), &length)) return std::nullopt;
  std::string_view rest = definition.substr(at + length);
  if (!rest.starts_with(" (")) return std::nullopt;
  return leading_identifier(rest.substr(2), nullptr);
}

}  // namespace

SplitCreateTable split_secondary_indexes(std::string_view statement) {
  SplitCreateTable out{std::string(statement), {}};
  if (!statement.starts_with("CREATE TABLE ")) return out;
  auto lines = lines_of(statement);
  if (lines.size() < 3 || !lines.front().ends_with("(")) return out;
  std::size_t close = 1;
  while (close < lines.size() && !lines[close].starts_with(")")) ++close;
  if (close == lines.size()) return out;

  std::vector<std::string> auto_increment_columns;
  bool foreign_keys = false;
  bool primary_key = false;
  for (std::size_t i = 1; i < close; ++i) {
    std::string_view definition = trimmed_definition(lines[i]);
    if (definition.find("FOREIGN KEY") != std::string_view::npos) foreign_keys = true;
    if (definition.starts_with("PRIMARY KEY")) primary_key = true;
    if (definition.starts_with("`") &&
        definition.find(" AUTO_INCREMENT") != std::string_view::npos) {
      if (auto column = leading_identifier(definition, nullptr)) {
        auto_increment_columns.push_back(*column);
      }
    }
  }
  if (foreign_keys) return out;

  std::vector<std::string_view> kept;
  for (std::size_t i = 1; i < close; ++i) {
    std::string_view definition = trimmed_definition(lines[i]);
    bool defer = is_deferrable_key(definition);
    // Without a primary key, InnoDB clusters the table on its first UNIQUE NOT NULL key, the
    // dump may chunk by it, and a resumed load relies on it to find a chunk loaded twice.
    if (!primary_key && definition.starts_with("UNIQUE KEY")) defer = false;
    if (defer) {
      auto column = first_key_column(definition);
      for (const auto& name : auto_increment_columns) {
        if (!column || *column == name) defer = false;
      }
    }
    if (defer) {
      out.deferred.emplace_back(definition);
    } else {
      kept.push_back(definition);
    }
  }
  if (out.deferred.empty() || kept.empty()) {
    out.deferred.clear();
    return out;
  }
  std::string create(lines.front());
  create += '\n';
  for (std::size_t i = 0; i < kept.size(); ++i) {
    create += "  ";
    create += kept[i];
    create += i + 1 < kept.size() ? ",\n" : "\n";
  }
  for (std::size_t i = close; i < lines.size(); ++i) {
    create += lines[i];
    if (i + 1 < lines.size()) create += '\n';
  }
  out.create = std::move(create);
  return out;
}

std::string deferred_key_name(std::string_view definition) {
  const std::size_t at = definition.find('`');
  if (at == std::string_view::npos) return {};
  return leading_identifier(definition.substr(at), nullptr).value_or("");
}

std::string add_indexes_statement(const std::string& table,
                                  const std::vector<std::string>& deferred) {
  std::string sql = "ALTER TABLE " + table + " ";
  for (std::size_t i = 0; i < deferred.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += "ADD ";
    sql += deferred[i];
  }
  return sql;
}

}  // namespace dbkeep::restore::logical

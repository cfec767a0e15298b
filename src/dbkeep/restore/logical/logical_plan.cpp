#include "dbkeep/restore/logical/logical_plan.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/source/mysql/logical/object_dump.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore::logical {
namespace {

using source::mysql::logical::quote_identifier;

class StringSink final : public pipeline::ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  Result<void> finish() override { return {}; }
  std::string text;
};

}  // namespace

LogicalPlan::LogicalPlan(const repo::Manifest& manifest,
                         const std::map<std::string, std::string>& rename,
                         const TableSelection* only)
    : rename_(rename) {
  for (const auto& file : manifest.files) {
    if (file.string_attribute("kind") == "table-schema") {
      backup_tables.push_back({file.string_attribute("schema"), file.string_attribute("table")});
    }
  }
  auto wants_table = [&](const repo::ManifestFile& file) {
    return only == nullptr ||
           only->wants_table(file.string_attribute("schema"), file.string_attribute("table"));
  };
  for (const auto& file : manifest.files) {
    const std::string kind = file.string_attribute("kind");
    const std::string schema = file.string_attribute("schema");
    if (kind == "schema" && (only == nullptr || only->wants_schema(schema))) {
      schemas.push_back(&file);
    }
    if (kind == "table-schema" && wants_table(file)) tables.push_back(&file);
    if (kind == "table-data" && wants_table(file)) data.push_back(&file);
    if (kind == "table-triggers" && wants_table(file)) triggers.push_back(&file);
    if (kind == "objects") {
      if (only == nullptr || only->wants_whole_schema(schema)) {
        objects.push_back(&file);
      } else if (only->wants_schema(schema) &&
                 file.string_attribute("triggers") != source::mysql::logical::kTriggersPerTable) {
        triggers_left_in_objects.push_back(schema);
      }
    }
    if (kind == "users") users = &file;
  }
}

std::string LogicalPlan::target(const repo::ManifestFile& file) const {
  std::string schema = file.string_attribute("schema");
  auto found = rename_.find(schema);
  return found == rename_.end() ? schema : found->second;
}

Result<void> check_users_request(const LogicalPlan& plan, const repo::Manifest& manifest,
                                 bool with_users, std::string_view left_out) {
  if (with_users && plan.users == nullptr) {
    return usage_error("backup " + manifest.set + "/" + manifest.id +
                       " holds no users and grants (it was taken without include_users = true)");
  }
  if (!with_users && plan.users != nullptr) {
    log::info("the backup holds users and grants; they are not " + std::string(left_out) +
              " without --with-users");
  }
  return {};
}

std::string create_database_statement(const repo::ManifestFile& schema_file,
                                      const std::string& target) {
  std::string sql = "CREATE DATABASE IF NOT EXISTS " + quote_identifier(target);
  const std::string charset = schema_file.string_attribute("charset");
  const std::string collation = schema_file.string_attribute("collation");
  if (!charset.empty()) sql += " CHARACTER SET " + charset;
  if (!collation.empty()) sql += " COLLATE " + collation;
  return sql;
}

std::string rename_references(std::string text, const std::string& from, const std::string& to) {
  if (from == to) return text;
  const std::string old_prefix = quote_identifier(from) + ".";
  const std::string new_prefix = quote_identifier(to) + ".";
  for (std::size_t at = 0; (at = text.find(old_prefix, at)) != std::string::npos;) {
    text.replace(at, old_prefix.size(), new_prefix);
    at += new_prefix.size();
  }
  return text;
}

Result<std::string> fetch_text(storage::Backend& backend, const repo::ManifestFile& file) {
  StringSink sink;
  TRY(pipeline::fetch_stream(backend, file.stored, sink));
  return std::move(sink.text);
}

std::uint64_t rows_of(const repo::ManifestFile& file) {
  auto found = file.attributes.find("rows");
  return found != file.attributes.end() && found->is_number() ? found->get<std::uint64_t>() : 0;
}

}  // namespace dbkeep::restore::logical

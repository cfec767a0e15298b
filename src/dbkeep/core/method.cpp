#include "dbkeep/core/method.hpp"

#include <array>
#include <string>

#include "dbkeep/core/enum_names.hpp"

namespace dbkeep::core {
namespace {

constexpr std::array<MethodTraits, 4> kMethods{{
    {Method::kOnline, SourceKind::kSqlite, "online", RestoreTarget::kSqliteFile, false, false,
     false},
    {Method::kSnapshot, SourceKind::kMysql, "snapshot", RestoreTarget::kDatadir, true, true, true},
    {Method::kLogical, SourceKind::kMysql, "logical", RestoreTarget::kServer, false, true, false},
    {Method::kPhysical, SourceKind::kMysql, "physical", RestoreTarget::kDatadir, false, true,
     false},
}};

constexpr std::array<EnumName<SourceKind>, 2> kSourceNames{{
    {SourceKind::kSqlite, "sqlite"},
    {SourceKind::kMysql, "mysql"},
}};

}  // namespace

const MethodTraits& method_traits(Method method) {
  for (const auto& traits : kMethods) {
    if (traits.method == method) return traits;
  }
  return kMethods.front();  // unreachable: every Method is in the table (unit-tested)
}

std::span<const MethodTraits> all_methods() {
  return kMethods;
}

std::string_view to_string(Method method) {
  return method_traits(method).name;
}

std::string_view to_string(SourceKind source) {
  return enum_name<SourceKind>(kSourceNames, source);
}

std::optional<Method> parse_method(std::string_view name) {
  for (const auto& traits : kMethods) {
    if (traits.name == name) return traits.method;
  }
  return std::nullopt;
}

std::optional<SourceKind> parse_source_kind(std::string_view name) {
  return parse_enum<SourceKind>(kSourceNames, name);
}

std::string methods_of(SourceKind source) {
  std::string text;
  for (const auto& traits : kMethods) {
    if (traits.source != source) continue;
    text += (text.empty() ? "" : ", ") + std::string(traits.name);
  }
  return text;
}

}  // namespace dbkeep::core

#pragma once
// One table of names per enumeration: parsing and printing read the same table, so a value and
// its configuration spelling cannot drift apart, and an error can list every accepted name.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dbkeep::core {

template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

template <typename Enum>
std::optional<Enum> parse_enum(std::span<const EnumName<Enum>> names, std::string_view text) {
  for (const auto& entry : names) {
    if (entry.name == text) return entry.value;
  }
  return std::nullopt;
}

// The name of `value`; every value is in its table (checked by the unit tests).
template <typename Enum>
std::string_view enum_name(std::span<const EnumName<Enum>> names, Enum value) {
  for (const auto& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

// "a, b or c", for messages.
template <typename Enum>
std::string enum_choices(std::span<const EnumName<Enum>> names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += names[i].name;
  }
  return text;
}

}  // namespace dbkeep::core

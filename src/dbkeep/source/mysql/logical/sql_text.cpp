#include "dbkeep/source/mysql/logical/sql_text.hpp"

#include <cctype>

namespace dbkeep::source::mysql::logical {

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '`';
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

namespace {

// Characters a quoted string literal must escape, and their escape letters.
constexpr char escape_letter(char c) {
  switch (c) {
    case '\0':
      return '0';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\x1a':
      return 'Z';
    case '\\':
      return '\\';
    case '\'':
      return '\'';
    default:
      return 0;
  }
}

}  // namespace

// Hot path of the dump: runs of plain characters are appended in one go, and the string grows
// once per value rather than once per character.
void append_string_literal(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '\'';
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char letter = escape_letter(text[i]);
    if (letter == 0) continue;
    out.append(text.data() + run, i - run);
    out += '\\';
    out += letter;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  out += '\'';
}

void append_hex_literal(std::string& out, std::string_view bytes) {
  if (bytes.empty()) {
    out += "''";
    return;
  }
  static constexpr char kDigits[] = "0123456789ABCDEF";
  const std::size_t at = out.size();
  out.resize(at + 2 + 2 * bytes.size());
  char* write = out.data() + at;
  *write++ = '0';
  *write++ = 'x';
  for (unsigned char c : bytes) {
    *write++ = kDigits[c >> 4];
    *write++ = kDigits[c & 0x0F];
  }
}

std::string file_component(std::string_view name) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) != 0 || c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else {
      out += '@';
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0F];
    }
  }
  return out.empty() ? "@" : out;
}

namespace {

// Length of the backquoted or quoted token at `text[at]`, or 1 for a bare character run end.
std::size_t quoted_length(std::string_view text, std::size_t at) {
  const char quote = text[at];
  std::size_t i = at + 1;
  while (i < text.size()) {
    if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1 - at;
    }
    ++i;
  }
  return text.size() - at;
}

// Length of one side of user@host: a quoted token or a bare word.
std::size_t account_part_length(std::string_view text, std::size_t at) {
  if (at >= text.size()) return 0;
  if (text[at] == '`' || text[at] == '\'' || text[at] == '"') return quoted_length(text, at);
  std::size_t i = at;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) != 0 ||
                             text[i] == '_' || text[i] == '%' || text[i] == '.' || text[i] == '-'))
    ++i;
  return i - at;
}

}  // namespace

std::string strip_definer(std::string_view statement) {
  constexpr std::string_view kKeyword = "DEFINER=";
  std::string out;
  std::size_t i = 0;
  while (i < statement.size()) {
    const char c = statement[i];
    if (c == '\'' || c == '"' || c == '`') {  // never look inside literals or identifiers
      std::size_t length = quoted_length(statement, i);
      out.append(statement.substr(i, length));
      i += length;
      continue;
    }
    if (statement.substr(i, kKeyword.size()) == kKeyword) {
      std::size_t end = i + kKeyword.size();
      end += account_part_length(statement, end);
      if (end < statement.size() && statement[end] == '@') {
        end += 1 + account_part_length(statement, end + 1);
      }
      if (end < statement.size() && statement[end] == ' ') ++end;
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace dbkeep::source::mysql::logical

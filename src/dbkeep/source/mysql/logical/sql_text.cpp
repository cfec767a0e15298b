#include "dbkeep/source/mysql/logical/sql_text.hpp"

#include <array>
#include <cctype>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// For every byte, the letter that follows a backslash when a quoted string literal must escape
// it, or 0. Escaping works byte by byte, which is right for every character set because the
// data files are read with `SET NAMES binary` (a 0x5C inside an sjis character is escaped too).
constexpr std::array<char, 256> kEscapeLetter = [] {
  std::array<char, 256> letters{};
  letters[static_cast<unsigned char>('\0')] = '0';
  letters[static_cast<unsigned char>('\n')] = 'n';
  letters[static_cast<unsigned char>('\r')] = 'r';
  letters[static_cast<unsigned char>('\x1a')] = 'Z';
  letters[static_cast<unsigned char>('\\')] = '\\';
  letters[static_cast<unsigned char>('\'')] = '\'';
  return letters;
}();

// Position of the first byte at or after `from` that must be escaped, or text.size(). Values
// rarely hold any, so 16 bytes are checked at a time where SSE2 exists (every x86-64).
std::size_t next_to_escape(std::string_view text, std::size_t from) {
#if defined(__SSE2__)
  const __m128i nul = _mm_set1_epi8('\0'), newline = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r'), sub = _mm_set1_epi8('\x1a');
  const __m128i backslash = _mm_set1_epi8('\\'), quote = _mm_set1_epi8('\'');
  for (; from + 16 <= text.size(); from += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, nul), _mm_cmpeq_epi8(v, newline)),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, sub))),
                     _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, quote)));
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) {
      return from + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
  }
#endif
  while (from < text.size() && kEscapeLetter[static_cast<unsigned char>(text[from])] == 0) ++from;
  return from;
}

}  // namespace

// Hot path of the dump: writes straight into room for the worst case, copying the runs between
// bytes that need escaping whole, then gives back what escaping did not use.
void append_string_literal(std::string& out, std::string_view text) {
  const std::size_t at = out.size();
  out.resize_and_overwrite(at + 2 * text.size() + 2, [&](char* data, std::size_t) {
    char* write = data + at;
    *write++ = '\'';
    for (std::size_t run = 0; run < text.size();) {
      const std::size_t stop = next_to_escape(text, run);
      std::memcpy(write, text.data() + run, stop - run);
      write += stop - run;
      if (stop == text.size()) break;
      *write++ = '\\';
      *write++ = kEscapeLetter[static_cast<unsigned char>(text[stop])];
      run = stop + 1;
    }
    *write++ = '\'';
    return static_cast<std::size_t>(write - data);
  });
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

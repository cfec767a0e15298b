#pragma once
// Writing SQL text that reads back to exactly the same values, and naming files after
// identifiers. Dump files are read by the server with sql_mode NO_AUTO_VALUE_ON_ZERO (never
// NO_BACKSLASH_ESCAPES), which is what the string escaping here assumes.

#include <string>
#include <string_view>

namespace dbkeep::source::mysql::logical {

// `name` in backquotes, inner backquotes doubled: any identifier, including unicode.
std::string quote_identifier(std::string_view name);
// 'text' with \0 \n \r \Z \\ \' escaped, so a data line never holds a raw newline.
void append_string_literal(std::string& out, std::string_view text);
// 0xABCD…, or '' for the empty value (0x alone is not a literal).
void append_hex_literal(std::string& out, std::string_view bytes);
// A file-name component for an identifier: [A-Za-z0-9_-] kept, every other byte as @XX, so
// names with slashes, dots, backquotes or unicode map to distinct, portable file names.
std::string file_component(std::string_view name);
// Removes every `DEFINER=user@host` clause from a CREATE statement (strip_definers).
std::string strip_definer(std::string_view create_statement);

}  // namespace dbkeep::source::mysql::logical

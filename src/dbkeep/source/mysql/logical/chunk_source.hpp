#pragma once
// One chunk file's content, produced on demand: a ByteSource that pulls rows from a RowStream
// and turns them into SQL as the pipeline reads, so a chunk never sits in memory whole.
//
// Format (docs/logical.md): a few `SET …;` lines, then one multi-row INSERT per line, each at
// most about `statement_bytes` long (a single larger row gets a statement of its own). No
// statement spans lines, because string values never contain a raw newline; the loader relies
// on that. Table names are not qualified: the loader (or `mariadb DB`) picks the schema.

#include <cstdint>
#include <string>

#include "dbkeep/pipeline/byte_sink.hpp"
#include "dbkeep/source/mysql/row_stream.hpp"

namespace dbkeep::source::mysql::logical {

// The SET lines every data file starts with (and the loader's sessions use too).
std::string data_file_header();

class ChunkSqlSource final : public pipeline::ByteSource {
 public:
  ChunkSqlSource(RowStream& rows, const std::string& table, std::size_t statement_bytes);
  Result<std::size_t> read(std::span<std::byte> buffer) override;
  [[nodiscard]] std::uint64_t rows() const { return rows_.rows_read(); }

 private:
  Result<void> refill();
  void append_row();

  RowStream& rows_;
  std::string insert_prefix_;  // "INSERT INTO `t` (`a`,`b`) VALUES "
  std::size_t statement_bytes_;
  std::string pending_;
  std::size_t offset_ = 0;
  bool finished_ = false;
};

}  // namespace dbkeep::source::mysql::logical

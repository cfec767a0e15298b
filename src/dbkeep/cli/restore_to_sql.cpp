// dbkeep restore ID --to-sql FILE|-: a logical backup as one SQL script for the stock client
// (restore/logical/sql_export.hpp). FILE is compressed by its suffix (.zst zstd, .gz gzip,
// anything else plain), written beside itself under a temporary name and renamed into place
// only when complete; an existing FILE is refused unless --force. "-" writes the script to
// stdout, where nothing else then goes (messages are on stderr; --json is refused).

#include <unistd.h>

#include <thread>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_flags.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/pipeline/codec.hpp"
#include "dbkeep/pipeline/file_stream.hpp"
#include "dbkeep/restore/logical/sql_export.hpp"
#include "dbkeep/restore/temporary_target.hpp"

namespace dbkeep::cli {
namespace {

using restore::logical::SqlExportResult;

class StdoutSink final : public pipeline::ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    return core::write_fully(STDOUT_FILENO, data, "standard output");
  }
  Result<void> finish() override { return {}; }
};

// The output's compression, from FILE's suffix.
pipeline::CodecOptions codec_for(const std::string& destination) {
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (destination.ends_with(".zst")) return {core::Codec::kZstd, 3, cores};
  if (destination.ends_with(".gz")) return {core::Codec::kGzip, 6, cores};
  return {core::Codec::kNone, 0, 0};
}

// Exports through `codec` into `sink` and finishes the chain.
Result<SqlExportResult> export_into(CommandContext& context, const repo::Manifest& manifest,
                                    const restore::logical::SqlExportOptions& options,
                                    const pipeline::CodecOptions& codec, pipeline::ByteSink& sink) {
  TRY_ASSIGN(auto* repository, context.repository());
  auto compressor = pipeline::make_compressor(codec, sink);
  TRY_ASSIGN(auto result, restore::logical::export_sql_script(repository->backend(), manifest,
                                                              options, *compressor));
  TRY(compressor->finish());
  TRY(sink.finish());
  return result;
}

Result<SqlExportResult> export_to_stdout(CommandContext& context, const repo::Manifest& manifest,
                                         const restore::logical::SqlExportOptions& options) {
  StdoutSink out;
  auto exported = export_into(context, manifest, options, codec_for("-"), out);
  if (!exported) {
    // The reader may already be loading what came before: end the script on a line that says
    // so. The chunk being written has no COMMIT, so a client stopping here keeps none of it.
    const std::string note = "\n-- dbkeep: EXPORT FAILED HERE, the script is incomplete\n";
    (void)out.write(std::as_bytes(std::span(note.data(), note.size())));
  }
  return exported;
}

Result<SqlExportResult> export_to_file(CommandContext& context, const repo::Manifest& manifest,
                                       const restore::logical::SqlExportOptions& options,
                                       const std::filesystem::path& file, bool force) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    return usage_error(file.string() + " is a directory; --to-sql needs a file name");
  }
  if (std::filesystem::exists(file, error) && !force) {
    return usage_error(file.string() + " already exists; use --force to replace it");
  }
  // 0600: the script holds every row of the backup (and password hashes with --with-users).
  TRY_ASSIGN(auto temp, restore::TemporaryTarget::create(file, "dbkeep-sql", 0600));
  TRY_ASSIGN(auto sink, pipeline::FileSink::create(temp.path()));
  TRY_ASSIGN(auto result, export_into(context, manifest, options, codec_for(file.string()), sink));
  TRY(temp.commit());
  return result;
}

std::string summary(const SqlExportResult& result) {
  return std::to_string(result.schemas) + " schemas, " + std::to_string(result.tables) +
         " tables, " + std::to_string(result.rows) + " rows, " + core::format_bytes(result.bytes) +
         " of SQL";
}

}  // namespace

Result<int> restore_to_sql_command(CommandContext& context, const std::string& destination) {
  auto& args = context.args();
  TRY_ASSIGN(auto set, args.option("--set"));
  restore::logical::SqlExportOptions options;
  TRY_ASSIGN(options.rename_schema, renames_from_flags(args));
  TRY_ASSIGN(options.only, only_from_flags(args));
  options.with_users = args.flag("--with-users");
  options.drop_existing = args.flag("--drop-existing");
  const bool force = args.flag("--force");
  auto ids = args.positionals();
  TRY(args.expect_empty("restore"));
  if (ids.size() != 1) return usage_error("dbkeep restore needs exactly one backup ID");
  const bool to_stdout = destination == "-";
  if (to_stdout && context.global().json) {
    return usage_error("--json prints on stdout, where --to-sql - writes the script; give a FILE");
  }
  if (to_stdout && force) return usage_error("--force goes with --to-sql FILE, not -");

  TRY_ASSIGN(auto manifest, find_backup(context, ids.front(), set));
  TRY(restore::logical::require_sql_export(manifest));
  const std::string what = manifest.set + "/" + manifest.id;
  log::info("writing " + what + " as an SQL script to " +
            (to_stdout ? std::string("standard output") : destination));
  if (to_stdout) {
    TRY_ASSIGN(auto result, export_to_stdout(context, manifest, options));
    log::info("wrote " + what + ": " + summary(result));
    return 0;
  }
  const auto file = std::filesystem::absolute(destination);
  TRY_ASSIGN(auto result, export_to_file(context, manifest, options, file, force));
  if (context.global().json) {
    context.print_json({{"ok", true},
                        {"id", manifest.id},
                        {"set", manifest.set},
                        {"file", file.string()},
                        {"compression", pipeline::codec_name(codec_for(destination).codec)},
                        {"schemas", result.schemas},
                        {"tables", result.tables},
                        {"chunks", result.chunks},
                        {"rows", result.rows},
                        {"accounts", result.accounts},
                        {"sql_bytes", result.bytes}});
  } else {
    context.print("wrote " + what + " to " + file.string() + " (" + summary(result) + ")\n");
  }
  return 0;
}

}  // namespace dbkeep::cli

#pragma once
// What a backup is: its source (SQLite or MySQL) and its method. One table (method_traits)
// says what each method is and how it comes back, so commands, restores and drills ask it
// instead of comparing names. Configuration and manifests parse the names once, here.

#include <optional>
#include <span>
#include <string_view>

namespace dbkeep::core {

enum class SourceKind { kSqlite, kMysql };
enum class Method { kOnline, kSnapshot, kLogical, kPhysical };

// Where a backup of a method is restored to.
enum class RestoreTarget {
  kSqliteFile,  // restore --sqlite-path FILE
  kDatadir,     // restore --datadir DIR: a directory a server can start on
  kServer,      // restore --to-server: loaded into a running server
};

struct MethodTraits {
  Method method;
  SourceKind source;
  std::string_view name;  // as in the configuration and the manifest
  RestoreTarget restore_target;
  // A server started on the restored datadir must run InnoDB crash recovery with the binary
  // log it had (snapshot: prepared transactions are committed from it). A prepared physical
  // backup has resolved them already.
  bool needs_crash_recovery;
  // The source records the server's binary log position (manifest facts "binlog").
  bool records_binlog_position;
  // The stage hooks pre_lock, post_lock and post_snapshot exist for this method.
  bool has_stage_hooks;
};

const MethodTraits& method_traits(Method method);
std::span<const MethodTraits> all_methods();

std::string_view to_string(Method method);
std::string_view to_string(SourceKind source);
std::optional<Method> parse_method(std::string_view name);
std::optional<SourceKind> parse_source_kind(std::string_view name);
// "online" for sqlite; "snapshot, logical, physical" for mysql (messages).
std::string methods_of(SourceKind source);

}  // namespace dbkeep::core

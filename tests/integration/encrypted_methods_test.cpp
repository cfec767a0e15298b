// Encryption at rest for every method on both backends, through the real binary: SQLite,
// snapshot (btrfs), logical and physical, each into a local directory and into S3 (the loopback
// test server), with encryption = "repokey". Each round trip backs up, lists, verifies,
// restores and compares the data with the source; scans every stored byte (the local
// repository's files, the S3 server's storage directory) for a marker row; and checks that a
// wrong passphrase exits 1 without writing anything. On S3 it also prunes, so every command
// runs against S3 for every method.
//
// One MariaDB server (its datadir on a btrfs loop volume) serves the three MySQL methods, and
// one S3 server the whole suite.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <functional>

#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "support/cli_workspace.hpp"
#include "support/physical_workspace.hpp"
#include "support/s3_server.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/stored_bytes.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kMarker = "MARKER-ROW-9c41d7e2";
constexpr const char* kPassphrase = "correct horse battery staple 11";

enum class Where { kLocal, kS3 };

void write_secret(const fs::path& path, const std::string& secret) {
  std::ofstream(path) << secret << "\n";
  ::chmod(path.c_str(), 0600);
}

// Row count, marker rows and checksum of secret.marker on a server: equal means same data.
std::string table_fingerprint(source::mysql::Connection& connection, const std::string& schema) {
  auto query = [&](const std::string& sql) -> std::string {
    auto result = connection.query(sql);
    if (!result || result->rows.empty()) {
      ADD_FAILURE() << sql << ": " << (result ? "no rows" : result.error().message);
      return "";
    }
    return result->rows[0].back().value_or("NULL");
  };
  return query("SELECT count(*) FROM `" + schema + "`.marker") + " rows, " +
         query("SELECT count(*) FROM `" + schema + "`.marker WHERE note = '" +
               std::string(kMarker) + "'") +
         " markers, checksum " + query("CHECKSUM TABLE `" + schema + "`.marker EXTENDED");
}

Result<source::mysql::Connection> connect_socket(const std::string& socket) {
  source::mysql::ConnectionOptions options;
  options.socket = socket;
  options.user = "root";
  return source::mysql::Connection::connect(options);
}

// The shared pieces: the S3 server, a passphrase file, and the repository lines for a backend.
class EncryptedRepositories {
 public:
  static std::string s3_unavailable() {
    auto reason = s3_missing_reason();
    return reason ? *reason : "";
  }

  Result<void> start_s3() {
    TRY_ASSIGN(s3_, S3Server::start());
    return {};
  }
  S3Server& s3() { return *s3_; }

  // [repository] for `where`, encrypted with the passphrase in dir/pass; `prefix` keeps
  // repositories of different tests apart in the one bucket.
  std::string repository_section(Where where, const fs::path& dir, const std::string& prefix) {
    write_secret(dir / "pass", kPassphrase);
    std::string text = "[repository]\nencryption = \"repokey\"\npassphrase_file = \"" +
                       (dir / "pass").string() + "\"\nstate_dir = \"" + (dir / "state").string() +
                       "\"\ntemp_dir = \"" + (dir / "tmp").string() + "\"\n";
    fs::create_directories(dir / "tmp");
    if (where == Where::kLocal) return text + "path = \"" + (dir / "repo").string() + "\"\n";
    write_secret(dir / "key_id", S3Server::access_key());
    write_secret(dir / "secret", S3Server::secret_key());
    return text + "url = \"s3://" + S3Server::bucket() + "/" + prefix + "\"\nendpoint = \"" +
           s3_->endpoint() + "\"\naccess_key_id_file = \"" + (dir / "key_id").string() +
           "\"\nsecret_access_key_file = \"" + (dir / "secret").string() + "\"\n";
  }

  // Where the stored bytes of that repository lie on disk.
  fs::path stored_root(Where where, const fs::path& dir) const {
    return where == Where::kLocal ? dir / "repo" : s3_->storage_dir();
  }

 private:
  std::unique_ptr<S3Server> s3_;
};

// The checks every method shares, around a method-specific restore.
template <typename Run, typename Ids>
void expect_encrypted_round_trip(const fs::path& root, Run dbkeep, Ids listed_ids,
                                 const std::function<void(const std::string& id)>& restore) {
  auto backup = dbkeep({"--json", "backup"}, {});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text << backup.stdout_text;
  std::string id = json_of(backup)["backups"][0]["id"];
  EXPECT_EQ(listed_ids(), std::vector<std::string>{id});
  auto verify = dbkeep({"verify", "--latest"}, {});
  EXPECT_EQ(verify.exit_code, 0) << verify.stderr_text << verify.stdout_text;
  restore(id);

  EXPECT_GT(file_count(root), 3U);
  EXPECT_EQ(files_containing(root, kMarker), std::vector<std::string>{})
      << "stored bytes hold the marker row in plaintext";
  EXPECT_EQ(files_containing(root, kPassphrase), std::vector<std::string>{});

  auto before = content_fingerprint(root);
  auto wrong = root.parent_path() / "wrong-pass";
  write_secret(wrong, "not the passphrase");
  auto refused = dbkeep({"backup"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", wrong.string()}});
  EXPECT_EQ(refused.exit_code, 1) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("wrong passphrase"), std::string::npos) << refused.stderr_text;
  EXPECT_EQ(content_fingerprint(root), before) << "a refused run wrote to the repository";
  EXPECT_EQ(listed_ids(), std::vector<std::string>{id});
}

// --- SQLite -------------------------------------------------------------------------------

class EncryptedSqliteTest : public testing::TestWithParam<Where> {
 protected:
  void SetUp() override {
    if (GetParam() == Where::kS3) {
      if (auto reason = EncryptedRepositories::s3_unavailable(); !reason.empty()) {
        GTEST_SKIP() << "no S3 test server: " << reason;
      }
      ASSERT_TRUE(repositories_.start_s3());
    }
    workspace_.fill(500, 100, /*wal=*/true);
    for (int i = 0; i < 10; ++i) {
      workspace_.sql("INSERT INTO t (payload) VALUES ('" + std::string(kMarker) + "')");
    }
    std::ofstream(workspace_.config())
        << repositories_.repository_section(GetParam(), workspace_.dir(), "sqlite")
        << "[log]\nfile = \"" << (workspace_.dir() / "dbkeep.log").string() << "\"\n"
        << "[[set]]\nname = \"app\"\nsource = \"sqlite\"\nmethod = \"online\"\n"
        << "compression = \"none\"\n"
        << "[set.sqlite]\npath = \"" << workspace_.database().string() << "\"\n";
  }

  EncryptedRepositories repositories_;
  SqliteWorkspace workspace_;
};

TEST_P(EncryptedSqliteTest, RoundTripWithoutPlaintextAndWrongPassphraseWritesNothing) {
  auto run = [&](std::vector<std::string> args, std::map<std::string, std::string> env) {
    return workspace_.dbkeep(std::move(args), env);
  };
  auto ids = [&] { return workspace_.listed_ids(); };
  expect_encrypted_round_trip(
      repositories_.stored_root(GetParam(), workspace_.dir()), run, ids,
      [&](const std::string& id) {
        auto target = workspace_.dir() / "restored.db";
        auto restore = workspace_.dbkeep({"restore", id, "--sqlite-path", target.string()});
        ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
        const std::string digest =
            "SELECT count(*) || ':' || sum(length(payload)) || ':' || "
            "(SELECT count(*) FROM t WHERE payload = '" +
            std::string(kMarker) + "') FROM t";
        auto restored = source::sqlite::SqliteDatabase::open(
            target, source::sqlite::SqliteDatabase::Mode::kReadOnly);
        ASSERT_TRUE(restored);
        EXPECT_EQ(restored->query_text(digest).value(), workspace_.query(digest));
      });
}

INSTANTIATE_TEST_SUITE_P(Backends, EncryptedSqliteTest, testing::Values(Where::kLocal, Where::kS3),
                         [](const auto& info) {
                           return info.param == Where::kLocal ? "Local" : "S3";
                         });

// --- MySQL: snapshot, logical, physical on one server -------------------------------------

struct MysqlCase {
  std::string method;
  Where where;
};

class EncryptedMysqlTest : public testing::TestWithParam<MysqlCase> {
 public:
  static void SetUpTestSuite() {
    if (!SnapshotWorkspace::unavailable_reason().empty()) return;
    auto workspace = SnapshotWorkspace::create();
    if (!workspace) {
      error() = workspace.error().message;
      return;
    }
    world() = std::move(*workspace);
    if (EncryptedRepositories::s3_unavailable().empty()) {
      if (auto started = repositories().start_s3(); !started) error() = started.error().message;
    }
    auto& server = world()->server();
    server.execute("CREATE DATABASE secret");
    server.execute(
        "CREATE TABLE secret.marker (id INT PRIMARY KEY, note VARCHAR(64), filler VARCHAR(200)) "
        "ENGINE=InnoDB");
    server.execute("INSERT INTO secret.marker SELECT seq, IF(seq % 50 = 0, '" +
                   std::string(kMarker) +
                   "', CONCAT('row ', seq)), REPEAT(SHA2(seq, 256), 3) FROM secret.seq_1_to_5000");
    server.execute("FLUSH TABLES secret.marker");
  }
  static void TearDownTestSuite() {
    repositories() = EncryptedRepositories();
    world().reset();
  }

 protected:
  void SetUp() override {
    if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    if (GetParam().where == Where::kS3) {
      if (auto reason = EncryptedRepositories::s3_unavailable(); !reason.empty()) {
        GTEST_SKIP() << "no S3 test server: " << reason;
      }
    }
    ASSERT_TRUE(world() && error().empty()) << "fixture did not start: " << error();
    workspace_.emplace(GetParam().method + (GetParam().where == Where::kS3 ? "-s3-" : "-"),
                       world()->dir());
    ::chmod(dir().c_str(), 0755);  // restored datadirs below it are reached by mysql
    write_config();
  }

  void write_config() const {
    const auto& method = GetParam().method;
    std::ofstream out(dir() / "dbkeep.toml");
    out << repositories().repository_section(GetParam().where, dir(), method) << "[log]\nfile = \""
        << (dir() / "dbkeep.log").string() << "\"\n"
        << "[[set]]\nname = \"db\"\nsource = \"mysql\"\nmethod = \"" << method
        << "\"\ncompression = \"none\"\n"
        << "[set.retention]\nkeep_last = 1\nprune_after_backup = false\n"
        << "[set.mysql]\nsocket = \"" << world()->server().socket().string()
        << "\"\nuser = \"root\"\n";
    if (method == "snapshot") {
      out << "[set.snapshot]\nprovider = \"btrfs\"\nvolume = \""
          << world()->volume().subvolume().string() << "\"\nmount_point = \""
          << world()->snapshot_dir().string() << "\"\n";
    } else if (method == "logical") {
      out << "[set.logical]\nworkers = 2\n";
    } else {
      out << "[set.physical]\nparallel = 2\n";
    }
  }

  // Restores `id` the way its method restores and returns the restored table's fingerprint.
  std::string restore_and_fingerprint(const std::string& id) const {
    const auto& method = GetParam().method;
    if (method == "logical") {
      auto restore = workspace_->dbkeep({"restore", id, "--to-server", "--socket",
                                         world()->server().socket().string(), "--user", "root",
                                         "--rename-schema", "secret=restored"});
      EXPECT_EQ(restore.exit_code, 0) << restore.stderr_text;
      auto connection = world()->server().connect_root();
      std::string fingerprint = connection ? table_fingerprint(*connection, "restored") : "";
      world()->server().execute("DROP DATABASE IF EXISTS restored");
      return fingerprint;
    }
    const fs::path datadir = dir() / "restored";
    if (method == "snapshot") {
      auto restored =
          workspace_->dbkeep_json({"restore", id, "--datadir", datadir.string(), "--start"});
      if (!restored.contains("server")) return "no server: " + restored.dump();
      std::string socket = restored["server"]["socket"];
      auto connection = connect_socket(socket);
      std::string fingerprint = connection ? table_fingerprint(*connection, "secret")
                                           : "connect failed: " + connection.error().message;
      EXPECT_TRUE(stop_detached_server(restored["server"]["pid"].get<pid_t>()));
      fs::remove_all(fs::path(socket).parent_path());
      return fingerprint;
    }
    auto restore = workspace_->dbkeep_json({"restore", id, "--datadir", datadir.string()});
    EXPECT_EQ(restore["chain"].size(), 1U) << restore.dump();
    auto server = RestoredMariaDb::start(datadir, dir() / "run");
    if (!server) return "restored server did not start: " + server.error().message;
    auto connection = (*server)->connect();
    return connection ? table_fingerprint(*connection, "secret")
                      : "connect failed: " + connection.error().message;
  }

  static std::unique_ptr<SnapshotWorkspace>& world() {
    static std::unique_ptr<SnapshotWorkspace> instance;
    return instance;
  }
  static EncryptedRepositories& repositories() {
    static EncryptedRepositories instance;
    return instance;
  }
  static std::string& error() {
    static std::string message;
    return message;
  }

  [[nodiscard]] const fs::path& dir() const { return workspace_->dir(); }

  std::optional<CliWorkspace> workspace_;  // in the world's directory, made by SetUp()
};

TEST_P(EncryptedMysqlTest, RoundTripWithoutPlaintextAndWrongPassphraseWritesNothing) {
  auto connection = world()->server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  const std::string source = table_fingerprint(*connection, "secret");
  auto root = repositories().stored_root(GetParam().where, dir());
  auto run = [&](std::vector<std::string> args, std::map<std::string, std::string> env) {
    return workspace_->dbkeep(std::move(args), env);
  };
  auto ids = [&] { return workspace_->listed_ids(); };
  expect_encrypted_round_trip(root, run, ids, [&](const std::string& id) {
    EXPECT_EQ(restore_and_fingerprint(id), source);
  });
  if (GetParam().where != Where::kS3 || HasFailure()) return;

  // prune against S3: a second backup, keep_last = 1 deletes the first and all its objects.
  auto first = workspace_->listed_ids();
  auto second = workspace_->dbkeep_json({"backup"});
  ASSERT_EQ(second["backups"].size(), 1U);
  auto pruned = workspace_->dbkeep_json({"prune"});
  EXPECT_EQ(pruned["sets"][0]["deleted"], 1) << pruned.dump();
  EXPECT_EQ(workspace_->listed_ids(),
            std::vector<std::string>{second["backups"][0]["id"].get<std::string>()});
  storage::s3::S3Backend raw(repositories().s3().backend_options(GetParam().method + "/"));
  auto left = raw.list("db/" + first.at(0) + "/");
  ASSERT_TRUE(left) << left.error().message;
  EXPECT_TRUE(left->empty()) << left->size() << " objects of the pruned backup are left";
  auto pending = repositories().s3().pending_uploads();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
}

std::string case_name(const testing::TestParamInfo<MysqlCase>& info) {
  std::string name = info.param.method + (info.param.where == Where::kS3 ? "_S3" : "_Local");
  name[0] = static_cast<char>(std::toupper(name[0]));
  return name;
}

INSTANTIATE_TEST_SUITE_P(
    MethodsAndBackends, EncryptedMysqlTest,
    testing::Values(MysqlCase{"snapshot", Where::kLocal}, MysqlCase{"snapshot", Where::kS3},
                    MysqlCase{"logical", Where::kLocal}, MysqlCase{"logical", Where::kS3},
                    MysqlCase{"physical", Where::kLocal}, MysqlCase{"physical", Where::kS3}),
    case_name);

}  // namespace
}  // namespace dbkeep::test

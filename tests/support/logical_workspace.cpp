#include "support/logical_workspace.hpp"

#include <sys/stat.h>

#include <fstream>

namespace dbkeep::test {

LogicalWorkspace::LogicalWorkspace(const MariaDbServer& server, const std::string& prefix)
    : CliWorkspace(prefix) {
  ::chmod(dir().c_str(), 0755);  // the scratch server (user mysql) must reach temp()
  std::filesystem::create_directories(temp());
  std::ofstream(config()) << "[repository]\npath = \"" << (dir() / "repo").string()
                          << "\"\ntemp_dir = \"" << temp().string() << "\"\n[log]\nfile = \""
                          << (dir() / "dbkeep.log").string()
                          << "\"\n[[set]]\nname = \"db\"\nsource = \"mysql\"\n"
                          << "method = \"logical\"\ncompression = \"zstd\"\n[set.mysql]\n"
                          << "socket = \"" << server.socket().string() << "\"\nuser = \"root\"\n"
                          << "[set.logical]\nworkers = 2\nchunk_size = 1048576\n";
}

}  // namespace dbkeep::test

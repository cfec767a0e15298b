#include "support/holding_stand_in.hpp"

#include <fstream>

#include "dbkeep/core/executable_path.hpp"

namespace dbkeep::test {

void write_holding_stand_in(const std::filesystem::path& bin_dir, const std::string& tool,
                            const std::string& when, const std::filesystem::path& held,
                            const std::filesystem::path& release) {
  const std::string real = core::find_executable(tool).value_or(tool).string();
  std::filesystem::create_directories(bin_dir);
  std::ofstream(bin_dir / tool) << "#!/bin/sh\n"
                                << "\"" << real << "\" \"$@\"; status=$?\n"
                                << "if " << when << "; then\n"
                                << "  touch \"" << held.string() << "\"\n"
                                << "  i=0; while [ ! -e \"" << release.string()
                                << "\" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done\n"
                                << "fi\nexit $status\n";
  std::filesystem::permissions(bin_dir / tool, std::filesystem::perms(0755));
}

}  // namespace dbkeep::test

// libFuzzer target: the TOML configuration loader (core::parse_config, what load_config runs on
// the file's text), with an empty environment. Any input must give a Config or an Error with a
// message, never a crash, an exception or undefined behaviour.

#include "dbkeep/core/config.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using dbkeep::fuzz::check;
  const dbkeep::core::Environment environment;
  auto config =
      dbkeep::core::parse_config(dbkeep::fuzz::as_text(data, size), "fuzz.toml", environment);
  if (!config) {
    check(!config.error().message.empty(), "a refused config has a message");
    return 0;
  }
  check(!config->sets.empty(), "an accepted config has a set");
  for (const auto& set : config->sets) {
    check(config->find_set(set.name).has_value(), "every configured set can be found by name");
  }
  return 0;
}

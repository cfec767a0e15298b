#pragma once
// What the fuzz targets share: the input as text, and a check that aborts (so libFuzzer records
// the input as a crash) when a property every input must keep is broken.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace dbkeep::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline void check(bool property, const char* what) {
  if (property) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", what);
  std::abort();
}

}  // namespace dbkeep::fuzz

#include "reliability_summary.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mysql_world.hpp"

namespace dbkeep::test::reliability {

Counters& counters() {
  static Counters all;
  return all;
}

bool long_variant() {
  const char* value = std::getenv("DBKEEP_RELIABILITY_LONG");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

int case_count(int default_count, int long_count) {
  return long_variant() ? long_count : default_count;
}

std::uint64_t base_seed() {
  const char* value = std::getenv("DBKEEP_RELIABILITY_SEED");
  return value != nullptr ? std::strtoull(value, nullptr, 10) : 12;
}

std::mt19937_64 seeded_generator(std::uint64_t salt) {
  return std::mt19937_64(base_seed() + salt);
}

namespace {

// Prints the table after every test has run and fails the binary on a must-be-zero count.
class SummaryEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    MysqlWorld::release();
    const Counters& c = counters();
    std::printf(
        "\nreliability summary (seed %llu, %s variant)\n"
        "| runs | faults injected | backups verified | data lost | leftovers found | "
        "secrets leaked |\n"
        "|---:|---:|---:|---:|---:|---:|\n"
        "| %llu | %llu | %llu | %llu | %llu | %llu |\n\n",
        static_cast<unsigned long long>(base_seed()), long_variant() ? "long" : "default",
        static_cast<unsigned long long>(c.runs.load()),
        static_cast<unsigned long long>(c.faults_injected.load()),
        static_cast<unsigned long long>(c.backups_verified.load()),
        static_cast<unsigned long long>(c.data_lost.load()),
        static_cast<unsigned long long>(c.leftovers_found.load()),
        static_cast<unsigned long long>(c.secrets_leaked.load()));
    std::fflush(stdout);
    EXPECT_EQ(c.data_lost.load(), 0U) << "data lost";
    EXPECT_EQ(c.leftovers_found.load(), 0U) << "leftovers found";
    EXPECT_EQ(c.secrets_leaked.load(), 0U) << "secrets leaked";
  }
};

}  // namespace
}  // namespace dbkeep::test::reliability

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new dbkeep::test::reliability::SummaryEnvironment);
  return RUN_ALL_TESTS();
}

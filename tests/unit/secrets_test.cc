#include "services/common/secrets.h"

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tokend::secrets {
namespace {

TEST(SecretsTest, TokensAre256BitBase64UrlWithPrefix) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string t = NewToken("tda_");
    ASSERT_TRUE(absl::StartsWith(t, "tda_"));
    EXPECT_EQ(t.size(), 4u + 43u);  // 32 bytes → 43 base64url chars, no padding
    for (char c : t.substr(4)) EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(SecretsTest, RandomDrawsNeverRepeatAcrossSizesAndThreads) {
  // Draws come from a per-thread buffer: small and large draws, across the
  // buffer's refills and across threads, must never hand out the same bytes.
  std::vector<std::string> draws[4];
  std::vector<std::thread> threads;
  for (auto& mine : draws) {
    threads.emplace_back([&mine] {
      for (int i = 0; i < 2000; ++i) mine.push_back(RandomBytes(8 + i % 300));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> prefixes;
  size_t total = 0;
  for (auto& mine : draws) {
    for (auto& d : mine) {
      prefixes.insert(d.substr(0, 8));
      ++total;
    }
  }
  EXPECT_EQ(prefixes.size(), total);
}

TEST(SecretsTest, AForkedChildDrawsOtherBytesThanItsParent) {
  RandomBytes(16);  // the parent's buffer now holds undrawn bytes the child inherits
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string b = RandomBytes(32);
    _exit(write(pipe_fds[1], b.data(), b.size()) == 32 ? 0 : 1);
  }
  std::string parent = RandomBytes(32);
  std::string from_child(32, '\0');
  ASSERT_EQ(read(pipe_fds[0], from_child.data(), 32), 32);
  int status = 0;
  waitpid(child, &status, 0);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  EXPECT_NE(parent, from_child);
}

TEST(SecretsTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SecretsTest, UuidIsVersion4) {
  std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
}

TEST(SecretsTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace tokend::secrets

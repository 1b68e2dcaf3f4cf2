// The source address the gRPC adapter hands the guessing throttle.
#include <gtest/gtest.h>

#include "services/grpc/token_convert.h"

namespace tokend::grpc_adapter {
namespace {

TEST(PeerAddressTest, KeepsTheIpAndDropsSchemeAndPort) {
  EXPECT_EQ(PeerAddress("ipv4:127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv4:10.1.2.3:1"), "10.1.2.3");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:54321"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:%5B2001:db8::7%5D:443"), "2001:db8::7");
  // Unix sockets share one address.
  EXPECT_EQ(PeerAddress("unix:/run/tokend.sock"), "unix:/run/tokend.sock");
  EXPECT_EQ(PeerAddress(""), "");
}

}  // namespace
}  // namespace tokend::grpc_adapter

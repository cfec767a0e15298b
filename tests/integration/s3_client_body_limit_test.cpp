// A ranged GET holds at most the bytes it asked for: a server that answers with a longer body
// (broken or hostile) is cut off with a clear error instead of filling memory. The server here
// is a raw socket on 127.0.0.1 that answers every request with a 4 MiB body.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "dbkeep/core/fd.hpp"
#include "dbkeep/storage/s3/s3_client.hpp"

namespace dbkeep::storage::s3 {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kBodyBytes = 4 << 20;

class OversizedBodyServer {
 public:
  OversizedBodyServer() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!listener_ || ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_.get(), 4) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OversizedBodyServer() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  void serve() {
    const std::string body(kBodyBytes, 'x');
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kBodyBytes) + "\r\n\r\n";
    while (!stop_) {
      core::Fd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!client) return;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(client.get(), buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      std::string reply = head + body;
      for (std::size_t sent = 0; sent < reply.size();) {
        ssize_t n = ::send(client.get(), reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the client hung up
        sent += static_cast<std::size_t>(n);
      }
    }
  }

  core::Fd listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

S3Client client_for(int port) {
  S3ClientOptions options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(port);
  options.bucket = "bucket";
  options.credentials = {"access", "secret", std::nullopt};
  options.retry.max_attempts = 1;
  return S3Client(options);
}

TEST(S3ClientBodyLimitTest, ALongerBodyThanTheRangeAskedForIsCutOff) {
  OversizedBodyServer server;
  ASSERT_NE(server.port(), 0) << "cannot listen on 127.0.0.1";
  auto client = client_for(server.port());
  S3Request request{.method = "GET", .key = "object", .headers = {"Range: bytes=0-99"}};
  request.expected_body_bytes = 100;
  auto response = client.send(request);
  ASSERT_FALSE(response);
  EXPECT_THAT(response.error().message,
              HasSubstr("the server sent more than the 100 bytes asked for"));
}

TEST(S3ClientBodyLimitTest, ABodyOfTheExpectedSizeArrivesWhole) {
  OversizedBodyServer server;
  ASSERT_NE(server.port(), 0) << "cannot listen on 127.0.0.1";
  auto client = client_for(server.port());
  S3Request request{.method = "GET", .key = "object"};
  request.expected_body_bytes = kBodyBytes;
  auto response = client.send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body.size(), kBodyBytes);
}

}  // namespace
}  // namespace dbkeep::storage::s3

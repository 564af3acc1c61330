#include "control/control_server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "fake_daemon_view.h"
#include "socket_client.h"

namespace vipd::control {
namespace {

using testing::FakeDaemonView;
using testing::request;
using testing::SocketClient;

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "vipd-control-XXXXXX");
    dir_ = ::mkdtemp(pattern.data());
    options_.path = (dir_ / "run" / "vipd.ctl").string();
    options_.read_only_path = (dir_ / "run" / "vipd-ro.ctl").string();
  }

  void TearDown() override {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] {
        server_->stop();
        work_.reset();
      });
      thread_.join();
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start() {
    server_ = std::make_unique<ControlServer>(io_, view_, options_);
    const auto started = server_->start();
    ASSERT_TRUE(started) << started.error();
    thread_ = std::thread([this] { io_.run(); });
  }

  // A connected client that has read the greeting.
  std::unique_ptr<SocketClient> connect(const std::string& path) {
    auto client = std::make_unique<SocketClient>(path);
    EXPECT_TRUE(client->connected());
    const auto hello = client->read();
    EXPECT_TRUE(hello && hello->has_hello());
    return client;
  }

  static ResultCode code(const std::vector<Reply>& frames) {
    if (frames.empty() || !frames.back().has_result()) {
      return RESULT_UNSPECIFIED;
    }
    return frames.back().result().code();
  }

  std::filesystem::path dir_;
  ControlServerOptions options_;
  FakeDaemonView view_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
};

mode_t modeOf(const std::string& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 07777;
}

TEST_F(ControlServerTest, CreatesTheFolderAndBothSocketsWithTheirModes) {
  start();
  EXPECT_EQ(modeOf((dir_ / "run").string()), 0755u);
  EXPECT_EQ(modeOf(options_.path), 0660u);
  EXPECT_EQ(modeOf(options_.read_only_path), 0666u);
}

TEST_F(ControlServerTest, GreetsWithTheDaemonAndItsVersion) {
  start();
  SocketClient client(options_.path);
  const auto hello = client.read();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->version(), kApiVersion);
  EXPECT_FALSE(hello->more());
  EXPECT_EQ(hello->hello().daemon(), "vipd");
  EXPECT_EQ(hello->hello().daemon_version(), "0.1.0");
  EXPECT_FALSE(hello->hello().read_only());
}

TEST_F(ControlServerTest, ShowServicesStreamsOneFramePerServiceThenTheResult) {
  start();
  auto client = connect(options_.path);
  auto show = request();
  show.mutable_show_services();
  ASSERT_TRUE(client->send(show));
  const auto frames = client->readReply();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_TRUE(frames[0].more());
  EXPECT_EQ(frames[0].service().name(), "web");
  EXPECT_EQ(frames[1].service().name(), "dns");
  EXPECT_EQ(code(frames), RESULT_OK);
}

TEST_F(ControlServerTest, ServesSeveralRequestsOnOneConnection) {
  start();
  auto client = connect(options_.path);
  for (int i = 0; i < 3; ++i) {
    auto show = request();
    show.mutable_show_status();
    ASSERT_TRUE(client->send(show));
    const auto frames = client->readReply();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].status().hostname(), "lvs1");
  }
}

TEST_F(ControlServerTest, AnOldClientGetsAClearVersionErrorAndIsDisconnected) {
  start();
  auto client = connect(options_.path);
  auto old = request();
  old.set_version(0);
  old.mutable_show_status();
  ASSERT_TRUE(client->send(old));
  const auto frames = client->readReply();
  EXPECT_EQ(code(frames), RESULT_UNSUPPORTED_VERSION);
  EXPECT_NE(frames.back().result().message().find("version 1"), std::string::npos);
  EXPECT_FALSE(client->read());
}

TEST_F(ControlServerTest, AMalformedRequestGetsAnErrorAndNothingHappens) {
  start();
  auto client = connect(options_.path);
  const std::string garbage = "\xff\xff\xff\xff";
  const auto header = FrameCodec::encodeLength(static_cast<std::uint32_t>(garbage.size()));
  ASSERT_TRUE(client->sendRaw(std::string(header.begin(), header.end()) + garbage));
  EXPECT_EQ(code(client->readReply()), RESULT_BAD_REQUEST);
  EXPECT_FALSE(client->read());
  EXPECT_TRUE(view_.calls().empty());
}

TEST_F(ControlServerTest, AnOversizedFrameIsRefusedWithoutReadingIt) {
  start();
  auto client = connect(options_.path);
  const auto header = FrameCodec::encodeLength(kMaxFrameSize + 1);
  ASSERT_TRUE(client->sendRaw(std::string(header.begin(), header.end())));
  EXPECT_EQ(code(client->readReply()), RESULT_TOO_LARGE);
  EXPECT_FALSE(client->read());
}

TEST_F(ControlServerTest, ATruncatedRequestClosesTheConnectionAndNothingHappens) {
  start();
  auto client = connect(options_.path);
  auto drain = request();
  drain.mutable_drain()->set_drain(true);
  const auto frame = FrameCodec::encode(drain);
  ASSERT_TRUE(client->sendRaw(frame.substr(0, frame.size() - 1)));
  client->shutdownWrite();
  EXPECT_FALSE(client->read());
  EXPECT_TRUE(view_.calls().empty());
}

TEST_F(ControlServerTest, AnUnknownCommandFromANewerClientIsRefused) {
  start();
  auto client = connect(options_.path);
  // version 1, then field 99 (varint 1): a command this daemon does not know.
  const std::string body = std::string("\x08\x01", 2) + std::string("\x98\x06\x01", 3);
  const auto header = FrameCodec::encodeLength(static_cast<std::uint32_t>(body.size()));
  ASSERT_TRUE(client->sendRaw(std::string(header.begin(), header.end()) + body));
  EXPECT_EQ(code(client->readReply()), RESULT_UNKNOWN_COMMAND);
  EXPECT_TRUE(view_.calls().empty());
}

TEST_F(ControlServerTest, AClientThatNeverSendsIsDisconnected) {
  options_.idle_timeout = std::chrono::milliseconds(20);
  start();
  auto client = connect(options_.path);
  EXPECT_FALSE(client->read());
}

TEST_F(ControlServerTest, AClientThatStopsInTheMiddleOfAFrameIsDisconnected) {
  options_.idle_timeout = std::chrono::milliseconds(20);
  start();
  auto client = connect(options_.path);
  ASSERT_TRUE(client->sendRaw(std::string("\x00\x00", 2)));
  EXPECT_FALSE(client->read());
}

TEST_F(ControlServerTest, ServesManyClientsAtOnce) {
  start();
  std::vector<std::unique_ptr<SocketClient>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(connect(options_.path));
  }
  for (auto it = clients.rbegin(); it != clients.rend(); ++it) {
    auto show = request();
    show.mutable_show_protocols();
    ASSERT_TRUE((*it)->send(show));
  }
  for (auto& client : clients) {
    const auto frames = client->readReply();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].peer().name(), "router1");
  }
}

TEST_F(ControlServerTest, TheReadOnlySocketAnswersShowAndRefusesWriteCommands) {
  start();
  auto client = std::make_unique<SocketClient>(options_.read_only_path);
  const auto hello = client->read();
  ASSERT_TRUE(hello);
  EXPECT_TRUE(hello->hello().read_only());

  auto drain = request();
  drain.mutable_drain()->set_drain(true);
  ASSERT_TRUE(client->send(drain));
  EXPECT_EQ(code(client->readReply()), RESULT_FORBIDDEN);

  auto show = request();
  show.mutable_show_status();
  ASSERT_TRUE(client->send(show));
  EXPECT_EQ(code(client->readReply()), RESULT_OK);
  EXPECT_TRUE(view_.calls().empty());
}

TEST_F(ControlServerTest, AWriteCommandCarriesAndLogsTheCallersCredentials) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = log::get("control");
  logger->sinks().push_back(sink);
  start();
  auto client = connect(options_.path);
  auto disable = request();
  disable.mutable_set_server_enabled()->set_service("web");
  disable.mutable_set_server_enabled()->set_host("web1.example.org");
  disable.mutable_set_server_enabled()->set_port(80);
  ASSERT_TRUE(client->send(disable));
  const auto frames = client->readReply();
  logger->sinks().pop_back();

  EXPECT_EQ(code(frames), RESULT_OK);
  const auto calls = view_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].command, "disable server");
  EXPECT_EQ(calls[0].argument, "web web1.example.org:80");
  EXPECT_EQ(calls[0].caller.uid, ::getuid());
  EXPECT_EQ(calls[0].caller.pid, ::getpid());
  const auto text = captured.str();
  EXPECT_NE(text.find("control command"), std::string::npos);
  EXPECT_NE(text.find("service=web"), std::string::npos);
  EXPECT_NE(text.find("caller_uid=" + std::to_string(::getuid())), std::string::npos);
}

TEST_F(ControlServerTest, ReplacesAStaleSocketAndRefusesALiveOne) {
  std::filesystem::create_directories(dir_ / "run");
  {
    boost::asio::io_context other;
    boost::asio::local::stream_protocol::acceptor stale(
        other, boost::asio::local::stream_protocol::endpoint(options_.path));
  }
  start();
  boost::asio::io_context other_io;
  ControlServer second(other_io, view_, options_);
  const auto refused = second.start();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("another process listens"), std::string::npos);
}

TEST_F(ControlServerTest, RefusesToReplaceAFileThatIsNotASocket) {
  std::filesystem::create_directories(dir_ / "run");
  std::ofstream(options_.path) << "precious";
  ControlServer server(io_, view_, options_);
  const auto refused = server.start();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not a socket"), std::string::npos);
}

}  // namespace
}  // namespace vipd::control

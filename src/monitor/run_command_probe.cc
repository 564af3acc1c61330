#include "monitor/run_command_probe.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <expected>
#include <utility>

#include "common/log.h"
#include "monitor/text.h"

extern char** environ;

namespace vipd::monitor {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kOutputLimit = 4096;

spdlog::logger& logger() {
  static const auto instance = log::get("monitor");
  return *instance;
}

std::string substitute(std::string text, std::string_view key, std::string_view value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

std::string exitText(int status) {
  if (WIFEXITED(status)) {
    return fmt::format("exit status {}", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {}", WTERMSIG(status));
  }
  return fmt::format("wait status {}", status);
}

// glibc 2.36 declares pidfd_open without C linkage for C++, so the call goes direct.
int openPidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

std::string firstLine(std::string_view output) {
  return printable(output.substr(0, output.find('\n')), 100);
}

// posix_spawn's attributes and file actions, freed on every path.
struct SpawnSetup {
  SpawnSetup() {
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawnattr_t attributes;
  posix_spawn_file_actions_t actions;
};

}  // namespace

class RunCommandProbe::Run : public std::enable_shared_from_this<Run> {
 public:
  // With log_fields, the output is logged at debug and quoted in the result.
  Run(asio::io_context& io, const std::string* log_fields, Done done)
      : io_(io), pipe_(io), pidfd_(io), log_fields_(log_fields), done_(std::move(done)) {}

  ~Run() {
    // Only when the loop died with the process still unreaped: kill and reap it here.
    if (pid_ > 0 && !reaped_) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void run(const std::vector<std::string>& argv) {
    if (auto spawned = spawn(argv); !spawned) {
      return failLater(std::move(spawned.error()));
    }
    readOutput();
    pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                      [self = shared_from_this()](const auto&) { self->afterExit(); });
  }

  // Kills the group; the loop still reaps it when the pidfd fires.
  void abandon() {
    done_ = nullptr;
    killGroup();
  }

 private:
  std::expected<void, std::string> spawn(const std::vector<std::string>& argv) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
      return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
    }
    pipe_.assign(fds[0]);

    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&setup.actions, fds[1], 2);
    // Its own group (so a timeout kills all it started), default signal dispositions and an
    // empty mask, whatever the daemon set for itself.
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setflags(
        &setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&setup.attributes, 0);
    posix_spawnattr_setsigmask(&setup.attributes, &none);
    posix_spawnattr_setsigdefault(&setup.attributes, &all);

    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    const int error =
        ::posix_spawnp(&pid_, args[0], &setup.actions, &setup.attributes, args.data(), environ);
    ::close(fds[1]);
    if (error != 0) {
      pid_ = 0;
      return std::unexpected(
          fmt::format("cannot run {}: {}", printable(argv[0]), std::strerror(error)));
    }
    return watchExit();
  }

  std::expected<void, std::string> watchExit() {
    const int pidfd = openPidfd(pid_);
    if (pidfd < 0) {
      const int error = errno;
      killGroup();
      ::waitpid(pid_, nullptr, 0);
      reaped_ = true;
      return std::unexpected(fmt::format("pidfd_open: {}", std::strerror(error)));
    }
    pidfd_.assign(pidfd);
    return {};
  }

  void readOutput() {
    pipe_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](const auto& error, std::size_t size) {
                            self->afterOutput(error, size);
                          });
  }

  void afterOutput(const boost::system::error_code& error, std::size_t size) {
    if (error) {
      return;
    }
    keep(size);
    readOutput();
  }

  void keep(std::size_t size) {
    const std::size_t room = kOutputLimit - std::min(output_.size(), kOutputLimit);
    output_.append(chunk_.data(), std::min(size, room));
  }

  void afterExit() {
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == 0) {
      // Not yet reapable (cannot happen once the pidfd fired, but costs nothing to allow).
      return pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                               [self = shared_from_this()](const auto&) { self->afterExit(); });
    }
    reaped_ = true;
    drainOutput();
    boost::system::error_code ignored;
    pipe_.close(ignored);
    pidfd_.close(ignored);
    if (!done_) {
      return;
    }

    // ECHILD: SIGCHLD ignored by the daemon, so the kernel reaped it and the status is lost.
    const std::string how = reaped < 0 ? "exit status unknown" : exitText(status);
    finish(reaped > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, how);
  }

  // What the command wrote before it exited; a child it left behind may keep the pipe open,
  // so only what is there now is read.
  void drainOutput() {
    boost::system::error_code error;
    pipe_.non_blocking(true, error);
    while (!error) {
      const std::size_t size = pipe_.read_some(asio::buffer(chunk_), error);
      if (!error) {
        keep(size);
      }
    }
  }

  void killGroup() {
    if (pid_ > 0 && !reaped_) {
      ::kill(-pid_, SIGKILL);
    }
  }

  void failLater(std::string message) {
    asio::post(io_, [self = shared_from_this(), message = std::move(message)] {
      if (self->done_) {
        self->finish(false, message);
      }
    });
  }

  void finish(bool up, std::string_view how) {
    std::string message = fmt::format("run-command: {}", how);
    if (log_fields_ != nullptr && !output_.empty()) {
      logger().debug("command output {} output=\"{}\"", *log_fields_,
                     printable(output_, kOutputLimit));
      message += fmt::format(", output \"{}\"", firstLine(output_));
    }
    auto done = std::move(done_);
    done_ = nullptr;
    done(ProbeResult{up, std::move(message), {}});
  }

  asio::io_context& io_;
  asio::posix::stream_descriptor pipe_;
  asio::posix::stream_descriptor pidfd_;
  std::array<char, 1024> chunk_{};
  std::string output_;
  pid_t pid_ = 0;
  bool reaped_ = false;
  // The probe's: read only while done_ is set, i.e. while the probe is alive.
  const std::string* log_fields_;
  Done done_;
};

RunCommandProbe::RunCommandProbe(asio::io_context& io, const Target& target,
                                 std::string monitor_name, const config::RunCommandParams& params)
    : io_(io),
      argv_(commandLine(params, target)),
      log_output_(params.log_output),
      log_fields_(fmt::format("service={} server={} monitor={}", target.service, target.host,
                              monitor_name)) {}

RunCommandProbe::~RunCommandProbe() {
  cancel();
}

std::vector<std::string> RunCommandProbe::commandLine(const config::RunCommandParams& params,
                                                      const Target& target) {
  std::vector<std::string> argv{params.command};
  for (const std::string& argument : params.arguments) {
    std::string text = substitute(argument, "{host}", target.host);
    text = substitute(std::move(text), "{address}", target.address.toString());
    argv.push_back(substitute(std::move(text), "{port}", std::to_string(target.port)));
  }
  return argv;
}

void RunCommandProbe::start(Done done) {
  cancel();
  auto run = std::make_shared<Run>(io_, log_output_ ? &log_fields_ : nullptr, std::move(done));
  run->run(argv_);
  run_ = run;
}

void RunCommandProbe::cancel() {
  if (const auto run = run_.lock()) {
    run->abandon();
  }
  run_.reset();
}

}  // namespace vipd::monitor

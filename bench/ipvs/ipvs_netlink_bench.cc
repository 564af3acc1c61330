// The IPVS programming benchmark, run inside the test VM (bench/ipvs/run): the same changes
// made three ways, each timed on an empty table in the same boot:
//   netlink   vipd's NetlinkBackend, one apply() a phase;
//   restore   `ipvsadm -R` fed the same operations (toIpvsadm lines) on its stdin;
//   process   one `ipvsadm` process per operation.
// Phases: program S services x D destinations; change W weights; remove everything. The
// operations come from the reconciler, as vipd would make them. After each phase the
// kernel's table is checked against the expected one (untimed).
//
// One process per change costs about a quarter of a second in the VM: a phase of more than
// --process-limit operations (default 1000) times that many processes, applies the rest
// over netlink untimed, and extrapolates the time linearly (marked "~").
//
//   ipvs_netlink_bench [--services S] [--destinations D] [--weights W]
//                      [--process-limit N] [--skip-process]
//   ipvs_netlink_bench --cpu-loop   (times a CPU-bound loop: run on the host and in the VM)
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ipvs/netlink_backend.h"
#include "ipvs/reconciler.h"

extern char** environ;

namespace vipd::ipvs {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int services = 100;
  int destinations = 100;
  int weights = 1000;
  bool process = true;
  std::size_t process_limit = 1000;
  bool cpu_loop = false;
};

std::optional<Options> parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    auto number = [&]() { return i + 1 < argc ? std::atoi(argv[++i]) : -1; };
    if (argument == "--services") {
      options.services = number();
    } else if (argument == "--destinations") {
      options.destinations = number();
    } else if (argument == "--weights") {
      options.weights = number();
    } else if (argument == "--process-limit") {
      options.process_limit = static_cast<std::size_t>(std::max(1, number()));
    } else if (argument == "--skip-process") {
      options.process = false;
    } else if (argument == "--cpu-loop") {
      options.cpu_loop = true;
    } else {
      return std::nullopt;
    }
  }
  if (options.services < 1 || options.services > 250 || options.destinations < 1 ||
      options.destinations > 250 || options.weights < 0) {
    return std::nullopt;
  }
  return options;
}

// The same loop is timed on the host and in the guest; the ratio is the VM's slowdown.
double cpuLoopSeconds() {
  const auto start = Clock::now();
  std::uint64_t hash = 14695981039346656037ull;
  for (std::uint64_t i = 0; i < 300'000'000; ++i) {
    hash = (hash ^ (i & 0xff)) * 1099511628211ull;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("cpu loop: %.3f s (hash %016llx)\n", seconds, static_cast<unsigned long long>(hash));
  return seconds;
}

Table programmedTable(const Options& options) {
  Table table;
  for (int s = 0; s < options.services; ++s) {
    Service service;
    const std::string vip = "10.0." + std::to_string(s) + ".1";
    service.key = {IpAddress::Family::V4, Protocol::Tcp, *IpAddress::parse(vip), 80, 0};
    service.scheduler = "wrr";
    ServiceEntry& entry = table.services[service.key];
    entry.service = service;
    for (int d = 0; d < options.destinations; ++d) {
      Destination destination;
      const std::string real = "10." + std::to_string(100 + s / 100) + "." +
                               std::to_string(s % 100) + "." + std::to_string(d + 1);
      destination.key = {*IpAddress::parse(real), 80};
      destination.weight = 10;
      entry.destinations[destination.key] = destination;
    }
  }
  return table;
}

// `count` weights changed, spread over the services.
Table reweighted(Table table, int count) {
  int changed = 0;
  for (int round = 0; changed < count; ++round) {
    bool any = false;
    for (auto& [key, entry] : table.services) {
      auto it = entry.destinations.begin();
      std::advance(it, std::min<std::size_t>(static_cast<std::size_t>(round),
                                             entry.destinations.size() - 1));
      if (changed < count && it->second.weight == 10) {
        it->second.weight = 20;
        ++changed;
        any = true;
      }
    }
    if (!any) {
      break;
    }
  }
  return table;
}

std::set<ServiceKey> keysOf(const Table& table) {
  std::set<ServiceKey> keys;
  for (const auto& [key, entry] : table.services) {
    keys.insert(key);
  }
  return keys;
}

std::string ipvsadmPath() {
  const char* path = std::getenv("VIPD_IPVSADM");
  return path != nullptr ? path : "/usr/sbin/ipvsadm";
}

// Spawns ipvsadm with `arguments`, optionally feeding `input`; its exit status.
int runIpvsadm(const std::vector<std::string>& arguments, const std::string* input) {
  std::vector<char*> argv;
  std::string program = ipvsadmPath();
  argv.push_back(program.data());
  std::vector<std::string> words = arguments;
  for (std::string& word : words) {
    argv.push_back(word.data());
  }
  argv.push_back(nullptr);

  int pipe_fds[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input != nullptr) {
    if (::pipe(pipe_fds) != 0) {
      return -1;
    }
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  }
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (input != nullptr) {
    ::close(pipe_fds[0]);
    if (spawned == 0) {
      std::size_t written = 0;
      while (written < input->size()) {
        const ssize_t n = ::write(pipe_fds[1], input->data() + written, input->size() - written);
        if (n <= 0) {
          break;
        }
        written += static_cast<std::size_t>(n);
      }
    }
    ::close(pipe_fds[1]);
  }
  if (spawned != 0) {
    return -1;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream stream(line);
  for (std::string word; stream >> word;) {
    out.push_back(word);
  }
  return out;
}

class Runner {
 public:
  Runner() {
    auto opened = NetlinkBackend::open(io_);
    if (!opened) {
      std::fprintf(stderr, "%s\n", opened.error().c_str());
      std::exit(1);
    }
    backend_ = std::move(*opened);
  }

  Table dump() {
    std::optional<std::expected<Table, std::string>> result;
    backend_->dump([&result](std::expected<Table, std::string> table) { result = table; });
    runUntil([&] { return result.has_value(); });
    if (!*result) {
      std::fprintf(stderr, "dump failed: %s\n", result->error().c_str());
      std::exit(1);
    }
    return **result;
  }

  // The kernel loads a scheduler's module when a service first names it: done before any
  // timing, so that no method pays for it.
  void loadScheduler(const std::string& scheduler) {
    Service service;
    service.key = {IpAddress::Family::V4, Protocol::Tcp, *IpAddress::parse("192.0.2.1"), 1, 0};
    service.scheduler = scheduler;
    viaNetlink({{OperationKind::AddService, service, std::nullopt},
                {OperationKind::DeleteService, service, std::nullopt}});
  }

  // Seconds; exits on any failed operation.
  double viaNetlink(std::vector<Operation> operations) {
    const auto start = Clock::now();
    std::optional<std::vector<OperationResult>> results;
    backend_->apply(std::move(operations),
                    [&results](std::vector<OperationResult> done) { results = std::move(done); });
    runUntil([&] { return results.has_value(); });
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (const OperationResult& result : *results) {
      if (!result.ok()) {
        std::fprintf(stderr, "netlink: %s: %s\n", toIpvsadm(result.operation).c_str(),
                     result.message.c_str());
        std::exit(1);
      }
    }
    return seconds;
  }

  static double viaRestore(const std::vector<Operation>& operations) {
    std::string script;
    for (const Operation& operation : operations) {
      script += toIpvsadm(operation) + "\n";
    }
    const auto start = Clock::now();
    const int status = runIpvsadm({"-R"}, &script);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (status != 0) {
      std::fprintf(stderr, "ipvsadm -R failed with status %d\n", status);
      std::exit(1);
    }
    return seconds;
  }

  // Times the first `limit` operations, one process each; the rest go over netlink.
  double viaProcesses(const std::vector<Operation>& operations, std::size_t limit) {
    const std::size_t timed = std::min(limit, operations.size());
    std::vector<std::vector<std::string>> commands;
    for (std::size_t i = 0; i < timed; ++i) {
      commands.push_back(words(toIpvsadm(operations[i])));
    }
    const auto start = Clock::now();
    for (const auto& command : commands) {
      if (runIpvsadm(command, nullptr) != 0) {
        std::fprintf(stderr, "ipvsadm failed\n");
        std::exit(1);
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    viaNetlink({operations.begin() + static_cast<std::ptrdiff_t>(timed), operations.end()});
    return seconds * static_cast<double>(operations.size()) / static_cast<double>(timed);
  }

 private:
  template <typename Done>
  void runUntil(Done done) {
    io_.restart();
    while (!done() && io_.run_one() > 0) {
    }
  }

  boost::asio::io_context io_;
  std::unique_ptr<NetlinkBackend> backend_;
};

struct Phase {
  std::string name;
  Table before;
  Table after;
  std::vector<Operation> operations;
};

void check(Runner& runner, const Table& expected, const std::string& what) {
  if (canonical(runner.dump()) != canonical(expected)) {
    std::fprintf(stderr, "%s: the kernel's table is not the expected one\n", what.c_str());
    std::exit(1);
  }
}

// Puts the kernel's table back to what it was before `phase` (untimed).
void rewind(Runner& runner, const Phase& phase) {
  runner.viaNetlink(reconcile(phase.before, phase.after, keysOf(phase.after)));
  check(runner, phase.before, phase.name + " (rewound)");
}

int run(const Options& options) {
  const Table programmed = programmedTable(options);
  const Table weights = reweighted(programmed, options.weights);
  std::vector<Phase> phases{{"program", {}, programmed, {}},
                            {"weights", programmed, weights, {}},
                            {"remove", weights, {}, {}}};
  for (Phase& phase : phases) {
    phase.operations = reconcile(phase.after, phase.before, keysOf(phase.before));
  }

  Runner runner;
  runner.loadScheduler("wrr");
  std::printf("%-8s %7s %11s %11s %11s %11s %11s\n", "phase", "ops", "netlink s", "restore s",
              "process s", "restore/nl", "process/nl");
  for (const Phase& phase : phases) {
    const double netlink = runner.viaNetlink(phase.operations);
    check(runner, phase.after, phase.name + " (netlink)");

    rewind(runner, phase);
    const double restore = Runner::viaRestore(phase.operations);
    check(runner, phase.after, phase.name + " (ipvsadm -R)");

    double process = 0;
    if (options.process) {
      rewind(runner, phase);
      process = runner.viaProcesses(phase.operations, options.process_limit);
      check(runner, phase.after, phase.name + " (ipvsadm per change)");
    }
    const char* extrapolated =
        options.process && phase.operations.size() > options.process_limit ? "~" : " ";
    std::printf("%-8s %7zu %11.3f %11.3f %s%10.3f %11.1f %s%10.1f\n", phase.name.c_str(),
                phase.operations.size(), netlink, restore, extrapolated, process, restore / netlink,
                extrapolated, process / netlink);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace vipd::ipvs

int main(int argc, char** argv) {
  const auto options = vipd::ipvs::parseOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: ipvs_netlink_bench [--services S] [--destinations D] [--weights W] "
                 "[--process-limit N] [--skip-process] | --cpu-loop\n");
    return 2;
  }
  if (options->cpu_loop) {
    vipd::ipvs::cpuLoopSeconds();
    return 0;
  }
  return vipd::ipvs::run(*options);
}

// vipc: vipd's command-line client, in birdc's manner. See docs/vipc.md and vipc(8).
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_table.h"
#include "cli/control_client.h"
#include "cli/interactive_shell.h"
#include "cli/json_printer.h"
#include "cli/text_printer.h"

namespace {

using vipd::cli::ArgumentKind;
using vipd::cli::CommandTable;
using vipd::cli::ControlClient;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr int kCannotConnect = 3;

struct Options {
  std::string socket = "/run/vipd/vipd.ctl";
  bool json = false;
  std::vector<std::string> command;
};

void usage(std::FILE* out) {
  std::fputs(
      "usage: vipc [-s SOCKET] [--json] [COMMAND...]\n"
      "  -s, --socket SOCKET  the control socket (default /run/vipd/vipd.ctl)\n"
      "  --json               one JSON document per reply\n"
      "With no command, vipc reads commands interactively; `?' lists them.\n",
      out);
}

// Options, or the exit status to leave with.
std::expected<Options, int> parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!options.command.empty()) {
      options.command.push_back(arg);
    } else if ((arg == "-s" || arg == "--socket") && i + 1 < argc) {
      options.socket = argv[++i];
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return std::unexpected(kOk);
    } else if (arg.starts_with("-") && arg != "-") {
      std::fprintf(stderr, "vipc: unknown option %s\n", arg.c_str());
      usage(stderr);
      return std::unexpected(kUsage);
    } else {
      options.command.push_back(arg);
    }
  }
  return options;
}

class Session {
 public:
  explicit Session(Options options) : options_(std::move(options)) {}

  // Connects (again, if the daemon closed an idle connection); false if it cannot.
  bool connect(bool quiet) {
    auto client = ControlClient::connect(options_.socket);
    if (!client) {
      if (!quiet) {
        report("", client.error());
      }
      return false;
    }
    client_.emplace(std::move(*client));
    return true;
  }

  void banner() {
    if (!options_.json && client_) {
      std::puts(vipd::cli::TextPrinter::banner(client_->hello()).c_str());
    }
  }

  // Parses and runs one command line; the exit status.
  int run(const std::string& line) {
    auto parsed = table_.parse(line);
    if (!parsed) {
      report(line, parsed.error());
      return kUsage;
    }
    auto frames = call(parsed->request);
    if (!frames) {
      report(line, frames.error());
      return kCannotConnect;
    }
    const bool ok = frames->back().result().code() == vipd::control::RESULT_OK;
    const auto text = options_.json ? vipd::cli::JsonPrinter::render(parsed->request, *frames)
                                    : vipd::cli::TextPrinter::render(parsed->request, *frames);
    std::fputs(text.c_str(), ok || options_.json ? stdout : stderr);
    return ok ? kOk : kFailed;
  }

  std::vector<std::string> names(ArgumentKind kind, const std::string& service) {
    std::vector<std::string> out;
    auto request = table_.parse(kind == ArgumentKind::Peer     ? "show protocols"
                                : kind == ArgumentKind::Server ? "show servers " + service
                                                               : "show services");
    if (!request) {
      return out;
    }
    auto frames = call(request->request);
    if (!frames) {
      return out;
    }
    for (const auto& frame : *frames) {
      if (kind == ArgumentKind::Peer && frame.has_peer()) {
        out.push_back(frame.peer().name());
      } else if (kind == ArgumentKind::Service && frame.has_service()) {
        out.push_back(frame.service().name());
      } else if (kind == ArgumentKind::Vip && frame.has_service()) {
        out.push_back(frame.service().address());
      } else if (kind == ArgumentKind::Server) {
        for (const auto& server : frame.service().server_list()) {
          out.push_back(server.host());
        }
      }
    }
    return out;
  }

  const CommandTable& table() const { return table_; }

 private:
  std::expected<std::vector<vipd::control::Reply>, std::string> call(
      const vipd::control::Request& request) {
    if (client_) {
      if (auto frames = client_->call(request)) {
        return frames;
      }
    }
    if (!connect(true)) {
      return std::unexpected("Unable to connect to server control socket (" + options_.socket +
                             ")");
    }
    return client_->call(request);
  }

  void report(const std::string& command, const std::string& message) {
    if (options_.json) {
      std::fputs(vipd::cli::JsonPrinter::error(command, message).c_str(), stdout);
    } else {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  }

  Options options_;
  CommandTable table_;
  std::optional<ControlClient> client_;
};

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parseOptions(argc, argv);
  if (!options) {
    return options.error();
  }
  Session session(*options);

  if (!options->command.empty()) {
    const auto line = joined(options->command);
    if (auto parsed = session.table().parse(line); !parsed) {
      return session.run(line);
    }
    if (!session.connect(false)) {
      return kCannotConnect;
    }
    session.banner();
    return session.run(line);
  }

  if (!session.connect(false)) {
    return kCannotConnect;
  }
  session.banner();
  vipd::cli::InteractiveShell shell(
      session.table(),
      [&session](ArgumentKind kind, const std::string& service) {
        return session.names(kind, service);
      },
      [&session](const std::string& line) { session.run(line); });
  return shell.loop();
}

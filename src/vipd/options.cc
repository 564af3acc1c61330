#include "vipd/options.h"

#include <charconv>
#include <string_view>

#include "vipd/version.h"

namespace vipd {

namespace {

// Takes the value of an option that needs one, from "--opt=value" or the next argument.
std::expected<std::string, std::string> takeValue(std::string_view option,
                                                  std::optional<std::string_view> inline_value,
                                                  std::span<const char* const> args,
                                                  std::size_t& index) {
  if (inline_value) {
    return std::string(*inline_value);
  }
  if (index + 1 >= args.size()) {
    return std::unexpected(std::string(option) + " needs a value");
  }
  ++index;
  return std::string(args[index]);
}

std::expected<void, std::string> setConfig(Options& options, Options::Format format,
                                           std::string file) {
  if (!options.config_file.empty()) {
    return std::unexpected("give one of --config and --pybal-config, once");
  }
  options.config_file = std::move(file);
  options.format = format;
  return {};
}

// A whole number of seconds, up to a day.
std::expected<std::chrono::seconds, std::string> parseSeconds(std::string_view option,
                                                              std::string_view text) {
  constexpr unsigned kMaxSeconds = 86400;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > kMaxSeconds) {
    return std::unexpected(std::string(option) + " takes a whole number of seconds in 0..86400");
  }
  return std::chrono::seconds(value);
}

bool takesValue(std::string_view arg) {
  return arg == "--config" || arg == "--pybal-config" || arg == "--log-level" ||
         arg == "--state-file" || arg == "--ipvs-redump-interval" || arg == "--control-socket";
}

}  // namespace

std::expected<Options, std::string> parseOptions(std::span<const char* const> args) {
  Options options;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string_view> inline_value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }

    const bool takes_value = takesValue(arg);
    if (!takes_value && inline_value) {
      return std::unexpected(std::string(arg) + " takes no value");
    }
    std::string value;
    if (takes_value) {
      auto taken = takeValue(arg, inline_value, args, i);
      if (!taken) {
        return std::unexpected(taken.error());
      }
      value = std::move(*taken);
    }

    std::expected<void, std::string> outcome;
    if (arg == "--config") {
      outcome = setConfig(options, Options::Format::Native, value);
    } else if (arg == "--pybal-config") {
      outcome = setConfig(options, Options::Format::Pybal, value);
    } else if (arg == "--log-level") {
      options.log_level = value;
    } else if (arg == "--state-file") {
      options.state_file = value;
      if (value.empty()) {
        outcome = std::unexpected("--state-file needs a path");
      }
    } else if (arg == "--control-socket") {
      options.control_socket = value;
      if (value.empty()) {
        outcome = std::unexpected("--control-socket needs a path");
      }
    } else if (arg == "--ipvs-redump-interval") {
      auto seconds = parseSeconds(arg, value);
      if (seconds) {
        options.ipvs_redump_interval = *seconds;
      } else {
        outcome = std::unexpected(seconds.error());
      }
    } else if (arg == "--check-config") {
      options.check_config = true;
    } else if (arg == "--dry-run") {
      options.dry_run = true;
    } else if (arg == "--version") {
      options.show_version = true;
    } else if (arg == "--help" || arg == "-h") {
      options.show_help = true;
    } else {
      return std::unexpected("unknown argument '" + std::string(arg) + "'");
    }
    if (!outcome) {
      return std::unexpected(outcome.error());
    }
  }

  if (!options.show_help && !options.show_version && options.config_file.empty()) {
    return std::unexpected("a configuration is needed: --config FILE or --pybal-config FILE");
  }
  return options;
}

void resolveAgainstConfig(const Options& options, config::Global& global) {
  if (options.log_level) {
    global.log_level = *options.log_level;
  }
  if (options.state_file) {
    global.state_file = *options.state_file;
  }
  if (options.ipvs_redump_interval) {
    global.ipvs.redump_interval = *options.ipvs_redump_interval;
  }
  if (options.control_socket) {
    global.control_socket = *options.control_socket;
  }
}

std::string usageText() {
  return "usage: vipd --config FILE | --pybal-config FILE [--check-config] [--dry-run]\n"
         "            [--log-level LEVEL] [--state-file PATH] [--ipvs-redump-interval SECONDS]\n"
         "            [--control-socket PATH]\n"
         "       vipd --version | --help\n"
         "\n"
         "  --config FILE        the native configuration (JSON, RFC 7951 encoding of vipd.yang)\n"
         "  --pybal-config FILE  PyBal's pybal.conf, imported as is\n"
         "  --check-config       validate the configuration and its file:// server lists,\n"
         "                       print the normalised native JSON; exit 0 if valid, 1 if not\n"
         "  --dry-run            never touch the kernel: print each IPVS change on stdout in\n"
         "                       ipvsadm -S -n syntax, starting from an empty table\n"
         "  --log-level LEVEL    trace, debug, info, warn or error (default: the config's)\n"
         "  --state-file PATH    where vipd remembers the IPVS services it owns and the\n"
         "                       operator's overrides, across restarts (default: the\n"
         "                       config's state-file; with --dry-run only this option\n"
         "                       enables it, and then for the overrides alone)\n"
         "  --ipvs-redump-interval SECONDS\n"
         "                       how often the kernel's IPVS table is read again, and what\n"
         "                       someone else changed in vipd's services put back; 0: never\n"
         "                       (default: the config's ipvs/redump-interval)\n"
         "  --control-socket PATH\n"
         "                       the unix socket vipc talks to (default: the config's\n"
         "                       control-socket, /run/vipd/vipd.ctl)\n"
         "  --version            print the version and exit\n"
         "  --help               print this help and exit\n"
         "\n"
         "Exit status: 0 success, 1 invalid configuration or fatal error, 2 usage error.\n";
}

std::string versionText() {
  return std::string("vipd ") + kVersion + "\n";
}

}  // namespace vipd

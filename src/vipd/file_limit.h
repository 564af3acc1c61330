// The file descriptors vipd may hold. Most monitors hold a socket per server (the
// idle-connection kind all the time), so a large service needs far more than the usual soft
// limit of 1,024. At start vipd raises its soft RLIMIT_NOFILE to the hard limit, and says
// clearly when even that is below what the configuration needs.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

#include "config/model.h"

namespace vipd {

struct FileLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};

// Raises the soft limit to the hard one; returns the limits in force afterwards.
std::expected<FileLimit, std::string> raiseFileLimit();

// The descriptors the configuration needs at once: for each service, its servers (inline ones
// and the file:// list as it reads now) times the sockets its monitors hold per server (one
// each; an http monitor with check-all one per URL), plus a reserve for the rest of vipd.
std::uint64_t descriptorsNeeded(const config::Config& config);

// raiseFileLimit(), then logs the limits (info), or an error when the hard limit is below
// descriptorsNeeded(). Never fails: a limit too low is the operator's to fix.
void prepareFileLimit(const config::Config& config);

}  // namespace vipd

// TextPrinter: a reply as people read it: aligned tables, ipvsadm -Ln's layout for
// `show ipvs`, birdc's for `show protocols` and `show route`. Pure; times are shown in the
// local time zone.
#pragma once

#include <string>
#include <vector>

#include "control/control.pb.h"

namespace vipd::cli {

class TextPrinter {
 public:
  // The text of a reply to `request`, its Result's message included.
  static std::string render(const control::Request& request,
                            const std::vector<control::Reply>& frames);

  static std::string banner(const control::Hello& hello);
  static std::string time(double unix_time);
  static std::string duration(double seconds);

 private:
  static std::string status(const control::Status& status);
  static std::string services(const std::vector<control::Reply>& frames);
  static std::string servers(const std::vector<control::Reply>& frames);
  static std::string monitors(const std::vector<control::Reply>& frames);
  static std::string ipvs(const std::vector<control::Reply>& frames);
  static std::string protocols(const std::vector<control::Reply>& frames);
  static std::string peerDetails(const control::Peer& peer);
  static std::string routes(const std::vector<control::Reply>& frames);
};

}  // namespace vipd::cli

// The BGP speaker's settings from the configuration: pure functions from config::Config to
// the plain values src/bgp takes. Services that share a VIP address make one VipPolicy
// named by the address (config_checks made sure they agree on its policy); a firewall-mark
// service is a VIP of its own, named by the service, announcing its configured prefixes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "bgp/settings.h"
#include "bgp/speaker.h"
#include "config/model.h"

namespace vipd {

// The local system and its peers. router_id: the configured one, else the first IPv4
// address of listen, else of a peer's local-address; unset when there is none (then the
// daemon must supply the host's IPv4 address, as PyBal used the session's).
bgp::SpeakerSettings speakerSettings(const config::Config& config);

// The global attributes: the Speaker's third argument.
bgp::RouteAttributes globalAttributes(const config::Config& config);

// One policy per VIP, in the order of their first service. A VIP none of whose services
// announces has announce false.
std::vector<bgp::VipPolicy> vipPolicies(const config::Config& config);

// Service name -> the name of its VIP's policy; only announcing services are listed, since
// only they count towards the VIP's health (VipHealth).
std::map<std::string, std::string> vipOfService(const config::Config& config);

}  // namespace vipd

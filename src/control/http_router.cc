#include "control/http_router.h"

#include "control/metrics.h"
#include "control/pybal_endpoints.h"
#include "control/status_page.h"

namespace vipd::control {

namespace {

HttpReply fromEndpoint(EndpointReply reply) {
  return HttpReply{reply.status, std::move(reply.content_type), std::move(reply.body), {}};
}

}  // namespace

HttpReply HttpRouter::route(std::string_view method, std::string_view target,
                            const std::vector<std::string>& accept) const {
  const auto format = PybalEndpoints::wantsJson(accept) ? BodyFormat::Json : BodyFormat::Text;
  if (method != "GET" && method != "HEAD") {
    auto reply = fromEndpoint(EndpointReply{
        405, "text/plain", "Only GET and HEAD: the instrumentation changes nothing.\n"});
    reply.headers.emplace_back("Allow", "GET, HEAD");
    return reply;
  }

  const auto path = target.substr(0, target.find('?'));
  if (path == "/") {
    HttpReply reply{200,
                    std::string(StatusPage::kContentType),
                    StatusPage(view_).render(std::chrono::system_clock::now()),
                    {}};
    reply.headers.emplace_back("Content-Security-Policy",
                               std::string(StatusPage::kContentSecurityPolicy));
    return reply;
  }
  if (path == "/metrics") {
    return HttpReply{
        200, std::string(MetricsExposition::kContentType), MetricsExposition(view_).render(), {}};
  }
  if (auto reply = PybalEndpoints(view_).answer(path, format)) {
    return fromEndpoint(std::move(*reply));
  }
  return fromEndpoint(PybalEndpoints::notFound(format));
}

}  // namespace vipd::control

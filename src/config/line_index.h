// LineIndex: where each value of a JSON document came from, so that an error libyang reports
// at a data path (/vipd:config/service[name='web']/port) can name a line of the file the
// operator wrote: the native JSON file itself, or the pybal.conf it was translated from.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vipd::config {

class LineIndex {
 public:
  // Records the line of the value at a JSON pointer (RFC 6901: "/vipd:config/service/0").
  void add(std::string pointer, int line);

  // The line of the value at `pointer`, or of its nearest recorded ancestor.
  std::optional<int> lineOfPointer(std::string_view pointer) const;

  // The line of a libyang data path, resolved against `document` (list predicates such as
  // [name='web'] pick the array element whose member has that value).
  std::optional<int> lineOfDataPath(std::string_view data_path,
                                    const boost::json::value& document) const;

  // The JSON pointer of a data path in `document`, as far as the document goes.
  static std::string pointerOfDataPath(std::string_view data_path,
                                       const boost::json::value& document);

  // The same, but only when the document holds every step of the path.
  static std::optional<std::string> exactPointerOfDataPath(std::string_view data_path,
                                                           const boost::json::value& document);

  // One pointer token, escaped as RFC 6901 says ("~" as "~0", "/" as "~1").
  static std::string escapeToken(std::string_view token);

  bool empty() const { return lines_.empty(); }

 private:
  std::map<std::string, int, std::less<>> lines_;
};

}  // namespace vipd::config

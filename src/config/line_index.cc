#include "config/line_index.h"

#include <boost/json.hpp>
#include <utility>
#include <vector>

namespace vipd::config {

namespace {

struct Predicate {
  std::string key;  // "." for a leaf-list value
  std::string value;
};

struct Step {
  std::string name;
  std::vector<Predicate> predicates;
};

// Splits "a/b[k='v/x']/c" at the slashes outside brackets and quotes.
std::vector<std::string_view> splitSteps(std::string_view path) {
  std::vector<std::string_view> steps;
  std::size_t start = 0;
  char quote = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    const char c = i < path.size() ? path[i] : '/';
    if (quote != 0) {
      quote = c == quote ? char{0} : quote;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    } else if (c == '/' && depth == 0) {
      if (i > start) {
        steps.push_back(path.substr(start, i - start));
      }
      start = i + 1;
    }
  }
  return steps;
}

// "service[name='web']" -> {service, [{name, web}]}; unparsable predicates are dropped.
Step parseStep(std::string_view text) {
  Step step;
  const std::size_t bracket = text.find('[');
  step.name = std::string(text.substr(0, bracket));
  std::size_t at = bracket;
  while (at != std::string_view::npos && at < text.size() && text[at] == '[') {
    const std::size_t equals = text.find('=', at);
    if (equals == std::string_view::npos || equals + 1 >= text.size()) {
      break;
    }
    const char quote = text[equals + 1];
    const std::size_t close = text.find(quote, equals + 2);
    if (close == std::string_view::npos) {
      break;
    }
    step.predicates.push_back({std::string(text.substr(at + 1, equals - at - 1)),
                               std::string(text.substr(equals + 2, close - equals - 2))});
    at = close + 2;
  }
  return step;
}

std::string scalarText(const boost::json::value& value) {
  if (value.is_string()) {
    return std::string(value.get_string());
  }
  return boost::json::serialize(value);
}

bool matches(const boost::json::value& element, const std::vector<Predicate>& predicates) {
  for (const Predicate& predicate : predicates) {
    if (predicate.key == ".") {
      if (scalarText(element) != predicate.value) {
        return false;
      }
      continue;
    }
    const auto* object = element.if_object();
    const auto* member = object == nullptr ? nullptr : object->if_contains(predicate.key);
    if (member == nullptr || scalarText(*member) != predicate.value) {
      return false;
    }
  }
  return true;
}

// The member of `object` for a step name, plain or qualified by the module ("vipd:port").
const boost::json::value* member(const boost::json::object& object, const std::string& name,
                                 std::string& used_name) {
  if (const auto* found = object.if_contains(name)) {
    used_name = name;
    return found;
  }
  const std::string qualified = "vipd:" + name;
  if (const auto* found = object.if_contains(qualified)) {
    used_name = qualified;
    return found;
  }
  return nullptr;
}

}  // namespace

void LineIndex::add(std::string pointer, int line) {
  lines_.insert_or_assign(std::move(pointer), line);
}

std::optional<int> LineIndex::lineOfPointer(std::string_view pointer) const {
  std::string_view current = pointer;
  while (true) {
    if (const auto found = lines_.find(current); found != lines_.end()) {
      return found->second;
    }
    const std::size_t slash = current.rfind('/');
    if (slash == std::string_view::npos) {
      return std::nullopt;
    }
    current = current.substr(0, slash);
  }
}

std::optional<int> LineIndex::lineOfDataPath(std::string_view data_path,
                                             const boost::json::value& document) const {
  return lineOfPointer(pointerOfDataPath(data_path, document));
}

namespace {

// The pointer as far as the document goes, and whether it went all the way.
std::pair<std::string, bool> resolve(std::string_view data_path,
                                     const boost::json::value& document) {
  std::string pointer;
  const boost::json::value* current = &document;
  for (const std::string_view text : splitSteps(data_path)) {
    const Step step = parseStep(text);
    // A schema path names no list entry; when the list has just one, it is that one.
    if (const auto* array = current->if_array(); array != nullptr && array->size() == 1) {
      pointer += "/0";
      current = &array->front();
    }
    const auto* object = current->if_object();
    std::string used_name;
    const auto* next = object == nullptr ? nullptr : member(*object, step.name, used_name);
    if (next == nullptr) {
      return {pointer, false};
    }
    pointer += "/" + LineIndex::escapeToken(used_name);
    current = next;
    if (step.predicates.empty() || !current->is_array()) {
      continue;
    }
    const auto& array = current->get_array();
    std::size_t index = 0;
    while (index < array.size() && !matches(array[index], step.predicates)) {
      ++index;
    }
    if (index == array.size()) {
      return {pointer, false};
    }
    pointer += "/" + std::to_string(index);
    current = &array[index];
  }
  return {pointer, true};
}

}  // namespace

std::string LineIndex::pointerOfDataPath(std::string_view data_path,
                                         const boost::json::value& document) {
  return resolve(data_path, document).first;
}

std::optional<std::string> LineIndex::exactPointerOfDataPath(std::string_view data_path,
                                                             const boost::json::value& document) {
  auto [pointer, complete] = resolve(data_path, document);
  return complete ? std::optional(std::move(pointer)) : std::nullopt;
}

std::string LineIndex::escapeToken(std::string_view token) {
  std::string escaped;
  for (const char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace vipd::config

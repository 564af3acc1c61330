#include "config/yang_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "config/yang_context.h"

namespace vipd::config {

namespace {

// Where libyang says an error is: its ly_err_item::path reads like
// `Data location "/vipd:config/service[name='a']", line number 5.` or `Line number 1.`
struct ErrorLocation {
  std::string data_path;
  std::string schema_path;
  std::optional<int> line;
};

std::string quotedAfter(std::string_view text, std::string_view label) {
  const std::size_t at = text.find(label);
  if (at == std::string_view::npos) {
    return {};
  }
  const std::size_t start = at + label.size();
  const std::size_t end = text.find('"', start);
  return std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
}

ErrorLocation parseLocation(const char* raw) {
  ErrorLocation location;
  if (raw == nullptr) {
    return location;
  }
  const std::string_view text(raw);
  location.data_path = quotedAfter(text, "ata location \"");
  location.schema_path = quotedAfter(text, "chema location \"");
  if (const std::size_t at = text.find("ine number "); at != std::string_view::npos) {
    int line = 0;
    for (std::size_t i = at + 11; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      line = line * 10 + (text[i] - '0');
    }
    if (line > 0) {
      location.line = line;
    }
  }
  return location;
}

template <typename T>
std::uint64_t arrayCount(const T* array) {
  return array == nullptr ? 0 : LY_ARRAY_COUNT(array);
}

enum class NumberKind { Signed, Unsigned, Decimal };

// One part of a range: "MIN..MAX", or the value alone when the part holds one.
std::string rangePartText(const lysc_range::lysc_range_part& part, NumberKind kind,
                          std::uint8_t fraction_digits) {
  const auto bounds = [](auto min, auto max) {
    return min == max ? fmt::format("{}", min) : fmt::format("{}..{}", min, max);
  };
  switch (kind) {
    case NumberKind::Signed:
      return bounds(part.min_64, part.max_64);
    case NumberKind::Unsigned:
      return bounds(part.min_u64, part.max_u64);
    case NumberKind::Decimal: {
      const double scale = std::pow(10.0, fraction_digits);
      return bounds(static_cast<double>(part.min_64) / scale,
                    static_cast<double>(part.max_64) / scale);
    }
  }
  return {};
}

// " in A..B" of a type's range, each of its parts ("0 | 3..65535": " in 0 or 3..65535");
// fraction digits scale a decimal64's bounds.
std::string rangeText(const lysc_range* range, NumberKind kind, std::uint8_t fraction_digits) {
  if (range == nullptr || arrayCount(range->parts) == 0) {
    return {};
  }
  std::string text = " in ";
  for (std::uint64_t i = 0; i < arrayCount(range->parts); ++i) {
    text += (i == 0 ? "" : " or ") + rangePartText(range->parts[i], kind, fraction_digits);
  }
  return text;
}

// The words for vipd's and ietf-inet-types' named types, where the structure says too little.
std::optional<std::string> namedType(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"inet:ip-address-no-zone", "an IPv4 or IPv6 address"},
      {"inet:ipv4-address-no-zone", "an IPv4 address"},
      {"inet:ipv6-address-no-zone", "an IPv6 address"},
      {"inet:ip-prefix", "an IPv4 or IPv6 prefix such as \"198.51.100.0/24\""},
      {"whole-seconds", "whole seconds in 0..86400"},
      {"host", "a host name or a numeric IPv4 or IPv6 address"},
      {"seconds",
       "seconds: a whole number in 0..86400, or a string with up to three decimals "
       "such as \"0.5\""},
  };
  for (const auto& [type_name, words] : kNames) {
    if (type_name == name) {
      return std::string(words);
    }
  }
  return std::nullopt;
}

std::string describeType(const lysc_type* type, const lysp_type* parsed);

std::string describeUnion(const lysc_type_union* type, const lysp_type* parsed) {
  const std::uint64_t count = arrayCount(type->types);
  const bool parsed_members = parsed != nullptr && arrayCount(parsed->types) == count;
  std::vector<std::string> pieces;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string piece = describeType(type->types[i], parsed_members ? &parsed->types[i] : nullptr);
    if (std::find(pieces.begin(), pieces.end(), piece) == pieces.end()) {
      pieces.push_back(std::move(piece));
    }
  }
  std::string text;
  for (const std::string& piece : pieces) {
    text += (text.empty() ? "" : ", or ") + piece;
  }
  return text;
}

std::string describeString(const lysc_type_str* type) {
  std::string text = "text";
  if (type->length != nullptr && arrayCount(type->length->parts) > 0) {
    text += fmt::format(" of {}..{} characters", type->length->parts[0].min_u64,
                        type->length->parts[0].max_u64);
  }
  for (std::uint64_t i = 0; i < arrayCount(type->patterns); ++i) {
    text += fmt::format(" matching `{}`", type->patterns[i]->expr);
  }
  return text;
}

std::string describeType(const lysc_type* type, const lysp_type* parsed) {
  if (parsed != nullptr && parsed->name != nullptr) {
    if (auto words = namedType(parsed->name)) {
      return *words;
    }
  }
  switch (type->basetype) {
    case LY_TYPE_BOOL:
      return "true or false";
    case LY_TYPE_ENUM: {
      const auto* enumeration = reinterpret_cast<const lysc_type_enum*>(type);
      std::string names;
      for (std::uint64_t i = 0; i < arrayCount(enumeration->enums); ++i) {
        names += (names.empty() ? "" : ", ") + std::string(enumeration->enums[i].name);
      }
      return "one of: " + names;
    }
    case LY_TYPE_INT8:
    case LY_TYPE_INT16:
    case LY_TYPE_INT32:
    case LY_TYPE_INT64:
      return "a whole number" +
             rangeText(reinterpret_cast<const lysc_type_num*>(type)->range, NumberKind::Signed, 0);
    case LY_TYPE_UINT8:
    case LY_TYPE_UINT16:
    case LY_TYPE_UINT32:
    case LY_TYPE_UINT64:
      return "a whole number" + rangeText(reinterpret_cast<const lysc_type_num*>(type)->range,
                                          NumberKind::Unsigned, 0);
    case LY_TYPE_DEC64: {
      const auto* decimal = reinterpret_cast<const lysc_type_dec*>(type);
      return "a decimal number written as a JSON string, such as \"0.5\"," +
             rangeText(decimal->range, NumberKind::Decimal, decimal->fraction_digits);
    }
    case LY_TYPE_UNION:
      return describeUnion(reinterpret_cast<const lysc_type_union*>(type), parsed);
    case LY_TYPE_STRING:
      return describeString(reinterpret_cast<const lysc_type_str*>(type));
    case LY_TYPE_LEAFREF:
      return "the name of a configured entry";
    default:
      return "a value";
  }
}

// The compiled and the parsed type of a leaf or leaf-list.
std::pair<const lysc_type*, const lysp_type*> typesOf(const lysc_node* node) {
  const auto* parsed_node = static_cast<const lysp_node*>(node->priv);
  if (node->nodetype == LYS_LEAF) {
    const auto* parsed = reinterpret_cast<const lysp_node_leaf*>(parsed_node);
    return {reinterpret_cast<const lysc_node_leaf*>(node)->type,
            parsed == nullptr ? nullptr : &parsed->type};
  }
  const auto* parsed = reinterpret_cast<const lysp_node_leaflist*>(parsed_node);
  return {reinterpret_cast<const lysc_node_leaflist*>(node)->type,
          parsed == nullptr ? nullptr : &parsed->type};
}

// What the schema expects at a node, for the end of an error message.
std::string expectationAt(const lysc_node* node) {
  if (node == nullptr) {
    return {};
  }
  if (node->nodetype & (LYS_LEAF | LYS_LEAFLIST)) {
    const auto [type, parsed] = typesOf(node);
    return "expected " + describeType(type, parsed);
  }
  std::string names;
  for (const lysc_node* child = lys_getnext(nullptr, node, nullptr, 0); child != nullptr;
       child = lys_getnext(child, node, nullptr, 0)) {
    names += (names.empty() ? "" : ", ") + std::string(child->name);
  }
  return names.empty() ? std::string{} : "expected one of: " + names;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// libyang's message, with what the schema expected where that helps.
std::string explain(std::string message, const ErrorLocation& location) {
  const std::string path =
      location.data_path.empty() ? location.schema_path : schemaPathOf(location.data_path);
  const YangContext& context = YangContext::shared();
  if (startsWith(message, "Node \"") || startsWith(message, "Invalid ") ||
      startsWith(message, "Unsatisfied ") || startsWith(message, "Value ")) {
    const std::string expectation =
        expectationAt(path.empty() ? nullptr : context.findSchema(path));
    if (!expectation.empty()) {
      if (!message.empty() && message.back() == '.') {
        message.pop_back();
      }
      message += " (" + expectation + ")";
    }
  } else if (startsWith(message, "No module named") ||
             message.find("must be namespace-qualified") != std::string::npos ||
             startsWith(message, "Expected top-level")) {
    message += " (expected one top-level member \"vipd:config\")";
  } else if (startsWith(message, "When condition")) {
    const std::size_t slash = path.rfind('/');
    message = "\"" + path.substr(slash + 1) + "\" is not allowed here: " + message;
  }
  return message;
}

struct StoredError {
  std::string message;
  ErrorLocation location;
};

// libyang's stored errors, copied out and cleared: looking up the schema while explaining
// them makes libyang store (and free) errors of its own.
std::vector<StoredError> takeErrors() {
  const YangContext& context = YangContext::shared();
  std::vector<StoredError> errors;
  for (const ly_err_item* error = ly_err_first(context.get()); error != nullptr;
       error = error->next) {
    if (error->level == LY_LLERR) {
      errors.push_back(
          {error->msg != nullptr ? error->msg : "invalid data", parseLocation(error->path)});
    }
  }
  context.clearErrors();
  return errors;
}

// The member that libyang's "Node "x" not found as a child of ..." names, or "".
std::string unknownMember(const std::string& message) {
  if (!startsWith(message, "Node \"")) {
    return {};
  }
  const std::size_t end = message.find('"', 6);
  return end == std::string::npos ? std::string{} : message.substr(6, end - 6);
}

// The line of an error: from the line index where the path leads to a value (libyang's own
// line is where its parser stood, often the line after the value), else libyang's.
std::optional<int> lineOf(const StoredError& error, const ValidationInput& input) {
  const ErrorLocation& location = error.location;
  if (!location.data_path.empty()) {
    std::string pointer = LineIndex::pointerOfDataPath(location.data_path, *input.document);
    if (const std::string member = unknownMember(error.message); !member.empty()) {
      pointer += "/" + LineIndex::escapeToken(member);
    }
    if (const auto line = input.lines->lineOfPointer(pointer)) {
      return line;
    }
  }
  return input.text_is_source ? location.line : std::nullopt;
}

Diagnostics collectErrors(const ValidationInput& input) {
  Diagnostics diagnostics;
  for (const StoredError& error : takeErrors()) {
    const ErrorLocation& location = error.location;
    diagnostics.push_back({Diagnostic::Severity::Error, input.file, lineOf(error, input),
                           location.data_path.empty() ? location.schema_path : location.data_path,
                           explain(error.message, location)});
  }
  return diagnostics;
}

// Parses and validates one text; the tree, or the errors it caused.
std::expected<DataTree, Diagnostics> parseOnce(const ValidationInput& input) {
  const YangContext& context = YangContext::shared();
  context.clearErrors();
  const std::string text(input.text);
  lyd_node* raw = nullptr;
  const LY_ERR result = lyd_parse_data_mem(context.get(), text.c_str(), LYD_JSON, LYD_PARSE_STRICT,
                                           LYD_VALIDATE_PRESENT, &raw);
  DataTree tree(raw);
  if (result != LY_SUCCESS) {
    Diagnostics errors = collectErrors(input);
    if (errors.empty()) {
      errors.push_back({Diagnostic::Severity::Error, input.file, std::nullopt, "",
                        "libyang refused the data without saying why"});
    }
    return std::unexpected(std::move(errors));
  }
  context.clearErrors();
  return tree;
}

struct Part {
  boost::json::value document;
  std::string service;  // the one service it holds, or "" for the global part
};

// The document cut into one part for the global settings and one for each service, each
// still a whole document; empty when it does not have that shape.
std::vector<Part> splitIntoParts(const boost::json::value& document) {
  const auto* top = document.if_object();
  const auto* config = top == nullptr ? nullptr : top->if_contains("vipd:config");
  if (top == nullptr || top->size() != 1 || config == nullptr || !config->is_object()) {
    return {};
  }
  std::vector<Part> parts;
  boost::json::object rest = config->get_object();
  const auto* services = config->get_object().if_contains("service");
  rest.erase("service");
  parts.push_back({boost::json::object{{"vipd:config", rest}}, ""});
  if (services == nullptr || !services->is_array()) {
    return parts;
  }
  for (const auto& service : services->get_array()) {
    const auto* name = service.is_object() ? service.get_object().if_contains("name") : nullptr;
    const boost::json::object part{{"service", boost::json::array{service}}};
    parts.push_back({boost::json::object{{"vipd:config", part}},
                     name != nullptr && name->is_string() ? std::string(name->get_string()) : ""});
  }
  return parts;
}

void appendNew(Diagnostics& all, Diagnostics more) {
  for (Diagnostic& diagnostic : more) {
    const bool seen = std::any_of(all.begin(), all.end(), [&](const Diagnostic& known) {
      return known.path == diagnostic.path && known.message == diagnostic.message;
    });
    if (!seen) {
      all.push_back(std::move(diagnostic));
    }
  }
}

// A schema path below the service list names the part's service, as far as that is known
// ("/vipd:config/service/monitor/http/url" -> "/vipd:config/service[name='web']/monitor/...").
void narrowToService(Diagnostic& diagnostic, const std::string& service) {
  constexpr std::string_view kServices = "/vipd:config/service/";
  if (service.empty() || diagnostic.path.compare(0, kServices.size(), kServices) != 0) {
    return;
  }
  const char quote = service.find('\'') == std::string::npos ? '\'' : '"';
  diagnostic.path = "/vipd:config/service[name=" + std::string(1, quote) + service +
                    std::string(1, quote) + "]/" + diagnostic.path.substr(kServices.size());
}

// Where in a part the value that caused an error is, when it is one value (a bad leaf, an
// unknown member) that can be taken out to look for further errors.
std::optional<std::string> offendingPointer(const Diagnostic& error,
                                            const boost::json::value& part) {
  const std::string& message = error.message;
  const bool value_error = startsWith(message, "Invalid ") || startsWith(message, "Unsatisfied ") ||
                           startsWith(message, "Value ") || startsWith(message, "Duplicate ");
  const std::string member = unknownMember(message);
  if (!value_error && member.empty()) {
    return std::nullopt;
  }
  auto pointer = LineIndex::exactPointerOfDataPath(error.path, part);
  if (pointer && !member.empty()) {
    *pointer += "/" + LineIndex::escapeToken(member);
  }
  return pointer;
}

bool erase(boost::json::value& document, const std::string& pointer) {
  const std::size_t slash = pointer.rfind('/');
  if (slash == std::string::npos || slash == 0) {
    return false;
  }
  boost::system::error_code error;
  boost::json::value* parent = document.find_pointer(pointer.substr(0, slash), error);
  if (parent == nullptr) {
    return false;
  }
  std::string token = pointer.substr(slash + 1);
  for (std::size_t at = token.find('~'); at != std::string::npos; at = token.find('~', at + 1)) {
    token.replace(at, 2, token.compare(at, 2, "~1") == 0 ? "/" : "~");
  }
  if (auto* object = parent->if_object()) {
    return object->erase(token) == 1;
  }
  if (auto* array = parent->if_array()) {
    std::size_t index = 0;
    const auto [end, bad] = std::from_chars(token.data(), token.data() + token.size(), index);
    if (bad == std::errc{} && end == token.data() + token.size() && index < array->size()) {
      array->erase(array->begin() + static_cast<std::ptrdiff_t>(index));
      return true;
    }
  }
  return false;
}

// The errors of one part: after each error of a single value, that value is taken out and
// the part validated again, so that every bad value is found, not only the first. An error
// that only appears after a removal and is not about one value (a "must" that the removal
// itself broke) is not reported.
Diagnostics validatePart(const ValidationInput& input, Part part) {
  constexpr int kMaxRounds = 32;
  Diagnostics found;
  for (int round = 0; round < kMaxRounds; ++round) {
    const std::string text = boost::json::serialize(part.document);
    ValidationInput one = input;
    one.text = text;
    one.text_is_source = false;
    auto result = parseOnce(one);
    if (result) {
      break;
    }
    Diagnostics errors = std::move(result.error());
    for (Diagnostic& error : errors) {
      const std::string path = error.path;
      narrowToService(error, part.service);
      if (error.path != path) {
        error.line = input.lines->lineOfDataPath(error.path, *input.document);
      }
    }
    const auto pointer = offendingPointer(errors.front(), part.document);
    if (round == 0 || pointer) {
      appendNew(found, std::move(errors));
    }
    if (!pointer || !erase(part.document, *pointer)) {
      break;
    }
  }
  return found;
}

}  // namespace

std::expected<DataTree, Diagnostics> validateConfig(const ValidationInput& input) {
  auto whole = parseOnce(input);
  if (whole && *whole == nullptr) {
    return std::unexpected(Diagnostics{{Diagnostic::Severity::Error, input.file, std::nullopt, "",
                                        "the file holds no \"vipd:config\" object"}});
  }
  if (whole) {
    return whole;
  }

  Diagnostics errors;
  for (Part& part : splitIntoParts(*input.document)) {
    appendNew(errors, validatePart(input, std::move(part)));
  }
  if (errors.empty()) {
    return std::unexpected(std::move(whole.error()));
  }
  return std::unexpected(std::move(errors));
}

std::string describeLeafType(const lysc_node* node) {
  const std::string expectation = expectationAt(node);
  constexpr std::string_view kPrefix = "expected ";
  return expectation.rfind(kPrefix, 0) == 0 ? expectation.substr(kPrefix.size()) : expectation;
}

std::string schemaPathOf(std::string_view data_path) {
  std::string path;
  int depth = 0;
  char quote = 0;
  for (const char c : data_path) {
    if (quote != 0) {
      quote = c == quote ? char{0} : quote;
    } else if (depth > 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    } else if (depth == 0) {
      path += c;
    }
  }
  return path;
}

}  // namespace vipd::config

// Table: columns aligned for people, two spaces apart, the last column unpadded.
#pragma once

#include <string>
#include <vector>

namespace vipd::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  void add(std::vector<std::string> row);
  std::string render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vipd::cli

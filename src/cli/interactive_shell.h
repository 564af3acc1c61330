// InteractiveShell: vipc with no command. On a terminal it edits lines with libedit, keeps a
// history, completes commands and names on Tab and lists what may come next on `?`; on a
// pipe it reads plain lines. Each line goes to `run`.
#pragma once

#include <functional>
#include <string>

#include "cli/command_table.h"

namespace vipd::cli {

class InteractiveShell {
 public:
  using Runner = std::function<void(const std::string& line)>;

  InteractiveShell(const CommandTable& table, NameSource names, Runner run);

  // Until end of input or `quit`; the exit status.
  int loop();

  // What Tab does to the text before the cursor: the text to insert, and the candidates to
  // list when there is more than one. Public for the tests.
  struct Completion {
    std::string insert;
    std::vector<std::string> listed;
  };
  Completion complete(const std::string& before_cursor) const;
  std::string help(const std::string& before_cursor) const;

 private:
  int loopTerminal();
  int loopPipe();
  // False for `quit` and `exit`.
  bool handle(const std::string& line);

  const CommandTable& table_;
  NameSource names_;
  Runner run_;
};

}  // namespace vipd::cli

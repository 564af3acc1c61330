#include "cli/interactive_shell.h"

#include <histedit.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace vipd::cli {

namespace {

InteractiveShell* shellOf(EditLine* editor) {
  void* data = nullptr;
  el_get(editor, EL_CLIENTDATA, &data);
  return static_cast<InteractiveShell*>(data);
}

std::string beforeCursor(EditLine* editor) {
  const LineInfo* line = el_line(editor);
  return std::string(line->buffer, static_cast<std::size_t>(line->cursor - line->buffer));
}

unsigned char onTab(EditLine* editor, int) {
  const auto completion = shellOf(editor)->complete(beforeCursor(editor));
  if (!completion.insert.empty()) {
    el_insertstr(editor, completion.insert.c_str());
  }
  if (completion.listed.size() > 1) {
    std::string text = "\n";
    for (const auto& candidate : completion.listed) {
      text += candidate + "  ";
    }
    std::fputs((text + "\n").c_str(), stdout);
    return CC_REDISPLAY;
  }
  return completion.insert.empty() ? CC_REFRESH_BEEP : CC_REFRESH;
}

unsigned char onQuestion(EditLine* editor, int) {
  std::fputs(("\n" + shellOf(editor)->help(beforeCursor(editor))).c_str(), stdout);
  return CC_REDISPLAY;
}

const char* prompt(EditLine*) {
  return "vipc> ";
}

std::string commonPrefix(const std::vector<std::string>& words) {
  std::string prefix = words.front();
  for (const auto& word : words) {
    const auto mismatch = std::mismatch(prefix.begin(), prefix.end(), word.begin(), word.end());
    prefix.erase(mismatch.first, prefix.end());
  }
  return prefix;
}

}  // namespace

InteractiveShell::InteractiveShell(const CommandTable& table, NameSource names, Runner run)
    : table_(table), names_(std::move(names)), run_(std::move(run)) {}

InteractiveShell::Completion InteractiveShell::complete(const std::string& before_cursor) const {
  const auto candidates = table_.complete(before_cursor, names_);
  if (candidates.empty()) {
    return {};
  }
  std::string partial;
  if (!before_cursor.empty() && before_cursor.back() != ' ') {
    partial = before_cursor.substr(before_cursor.find_last_of(' ') + 1);
  }
  if (candidates.size() == 1) {
    return {candidates.front().substr(partial.size()) + " ", candidates};
  }
  return {commonPrefix(candidates).substr(partial.size()), candidates};
}

std::string InteractiveShell::help(const std::string& before_cursor) const {
  std::string out;
  for (const auto& line : table_.help(before_cursor)) {
    out += line + "\n";
  }
  return out.empty() ? "No such command.\n" : out;
}

int InteractiveShell::loop() {
  return ::isatty(STDIN_FILENO) ? loopTerminal() : loopPipe();
}

bool InteractiveShell::handle(const std::string& line) {
  const auto words = CommandTable::split(line);
  if (words.empty()) {
    return true;
  }
  if (words.size() == 1 && (words[0] == "quit" || words[0] == "exit")) {
    return false;
  }
  if (words.back() == "?" || words[0] == "help") {
    const auto end = line.find_last_of('?');
    std::fputs(help(words[0] == "help" ? "" : line.substr(0, end)).c_str(), stdout);
    return true;
  }
  run_(line);
  return true;
}

int InteractiveShell::loopPipe() {
  for (std::string line; std::getline(std::cin, line);) {
    if (!handle(line)) {
      break;
    }
    std::fflush(stdout);
  }
  return 0;
}

int InteractiveShell::loopTerminal() {
  EditLine* editor = el_init("vipc", stdin, stdout, stderr);
  History* past = history_init();
  HistEvent event;
  history(past, &event, H_SETSIZE, 1000);
  history(past, &event, H_SETUNIQUE, 1);
  el_set(editor, EL_EDITOR, "emacs");
  el_set(editor, EL_PROMPT, prompt);
  el_set(editor, EL_HIST, history, past);
  el_set(editor, EL_CLIENTDATA, this);
  el_set(editor, EL_ADDFN, "vipc-complete", "Complete a command or a name", onTab);
  el_set(editor, EL_ADDFN, "vipc-help", "List what may come next", onQuestion);
  el_set(editor, EL_BIND, "^I", "vipc-complete", nullptr);
  el_set(editor, EL_BIND, "?", "vipc-help", nullptr);
  el_source(editor, nullptr);

  int count = 0;
  while (const char* text = el_gets(editor, &count)) {
    std::string line(text, static_cast<std::size_t>(count));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.pop_back();
    }
    if (!CommandTable::split(line).empty()) {
      history(past, &event, H_ENTER, line.c_str());
    }
    if (!handle(line)) {
      break;
    }
    std::fflush(stdout);
  }
  history_end(past);
  el_end(editor);
  return 0;
}

}  // namespace vipd::cli

// vipd_config_reference: prints the configuration reference (Markdown) to standard output.
#include <cstdio>

#include "config/config_reference.h"

int main() {
  const std::string text = vipd::config::configurationReference();
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() ? 0 : 1;
}

// translatePybal: pybal.conf, as parsed by parseIni, turned into vipd's native JSON document
// (to be validated by libyang like any native file), with the pybal.conf line of every value
// it wrote, so that each error names the line the operator wrote. Keys PyBal does not know
// become warnings (PyBal ignored them); PyBal's own defaults apply where vipd's differ
// (RunCommand's 60 s interval and 20 s timeout).
#pragma once

#include <string>

#include "config/document_loader.h"
#include "config/ini_file.h"

namespace vipd::config {

// The document; errors found while translating (a service without `config`, a monitor vipd
// does not have) are in `errors`, warnings in the document's own list.
struct PybalTranslation {
  Document document;
  Diagnostics errors;
};

PybalTranslation translatePybal(const IniFile& ini, const std::string& file);

}  // namespace vipd::config

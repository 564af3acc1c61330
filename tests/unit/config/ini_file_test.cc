#include "config/ini_file.h"

#include <gtest/gtest.h>

namespace vipd::config {
namespace {

TEST(IniFile, ReadsSectionsKeysAndLinesLikeConfigParser) {
  const auto ini = parseIni(
      "# comment\n; comment\nrem also a comment\n[global]\nBGP = yes\nbgp-local-asn: 64600\n"
      "\n[text_80]  trailing text ignored\nip = 192.0.2.10 ; inline comment\n"
      "url = http://a/;b\nempty = \"\"\n",
      "pybal.conf");
  ASSERT_TRUE(ini.has_value()) << ini.error().at(0).format();
  ASSERT_EQ(ini->sections.size(), 2U);
  const IniSection& global = ini->sections[0];
  EXPECT_EQ(global.name, "global");
  EXPECT_EQ(global.line, 4);
  ASSERT_NE(global.find("bgp"), nullptr);  // keys are lower-cased
  EXPECT_EQ(global.find("bgp")->value, "yes");
  EXPECT_EQ(global.find("bgp")->line, 5);
  EXPECT_EQ(global.find("bgp-local-asn")->value, "64600");
  const IniSection& text = ini->sections[1];
  EXPECT_EQ(text.name, "text_80");
  EXPECT_EQ(text.find("ip")->value, "192.0.2.10");
  EXPECT_EQ(text.find("url")->value, "http://a/;b");  // ';' without space before it stays
  EXPECT_EQ(text.find("empty")->value, "");
}

TEST(IniFile, JoinsContinuationLinesAcrossBlankLines) {
  const auto ini = parseIni("[s]\nlist = [ 'a',\n    'b',\n\n  'c' ]\nnext = 1\n", "p");
  ASSERT_TRUE(ini.has_value());
  const IniEntry* list = ini->sections[0].find("list");
  EXPECT_EQ(list->value, "[ 'a',\n'b',\n'c' ]");
  EXPECT_EQ(list->line, 2);
  EXPECT_EQ(ini->sections[0].find("next")->line, 6);
}

TEST(IniFile, InheritsDefaultsAndInterpolates) {
  const auto ini = parseIni(
      "[DEFAULT]\nroot = /etc/pybal\nscheduler = wrr\n[text]\nconfig = file://%(root)s/pools/t\n"
      "scheduler = sh\npct = 50%%\nbad = %(nothing)s\nloose = 5%\n",
      "p");
  ASSERT_TRUE(ini.has_value());
  const IniSection& text = ini->sections.at(0);
  const auto entries = ini->entriesOf(text);
  ASSERT_EQ(entries.size(), 6U);  // five own keys, root inherited, scheduler overridden
  EXPECT_EQ(entries.back().key, "root");
  EXPECT_EQ(*ini->interpolate(text, text.find("config")->value), "file:///etc/pybal/pools/t");
  EXPECT_EQ(*ini->interpolate(text, text.find("pct")->value), "50%");
  EXPECT_FALSE(ini->interpolate(text, text.find("bad")->value).has_value());
  EXPECT_FALSE(ini->interpolate(text, text.find("loose")->value).has_value());
}

TEST(IniFile, StopsRecursiveInterpolation) {
  const auto ini = parseIni("[s]\na = %(b)s\nb = %(a)s\n", "p");
  ASSERT_TRUE(ini.has_value());
  const auto value = ini->interpolate(ini->sections[0], "%(a)s");
  ASSERT_FALSE(value.has_value());
  EXPECT_NE(value.error().find("deeper than 10"), std::string::npos);
}

TEST(IniFile, ReportsEverySyntaxErrorAndDuplicateWithBothLines) {
  const auto ini =
      parseIni("orphan = 1\n[a]\nkey = 1\nno delimiter here\nkey = 2\n[b\n[a]\n[]\n", "pybal.conf");
  ASSERT_FALSE(ini.has_value());
  const Diagnostics& errors = ini.error();
  ASSERT_EQ(errors.size(), 6U);
  EXPECT_EQ(errors[0].line, 1);
  EXPECT_NE(errors[0].message.find("before the first [section]"), std::string::npos);
  EXPECT_EQ(errors[1].line, 4);
  EXPECT_EQ(errors[2].line, 5);
  EXPECT_NE(errors[2].message.find("key key given twice in [a]: first at line 3, again at line 5"),
            std::string::npos);
  EXPECT_EQ(errors[3].line, 6);
  EXPECT_EQ(errors[4].line, 7);
  EXPECT_NE(errors[4].message.find("section [a] given twice: first at line 2"), std::string::npos);
  EXPECT_EQ(errors[4].file, "pybal.conf");
  EXPECT_EQ(errors[5].line, 8);  // "[]" names no section
}

TEST(IniFile, RejectsABinaryFile) {
  const auto ini = parseIni(std::string("[a]\nx = \0\xff", 9), "p");
  ASSERT_FALSE(ini.has_value());
  EXPECT_EQ(ini.error().at(0).line, 2);
  EXPECT_NE(ini.error().at(0).message.find("not text"), std::string::npos);
}

}  // namespace
}  // namespace vipd::config

// customer_texts_tables.h: the tables behind customer_texts.h, one per
// language, each in its own file (customer_texts_<language>.cpp) so that a
// translator reads and edits one language at a time. Only
// customer_texts.cpp and its test read them. Constant data; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace frontdesk {

struct CustomerPageText {
  std::string_view key;
  std::string_view text;
};

struct CustomerMailText {
  std::string_view kind;  // one of CustomerTemplateKinds()
  std::string_view subject;
  std::string_view text;
};

struct CustomerTextTable {
  std::string_view language;
  std::span<const CustomerPageText> pages;
  // Empty for English, whose templates are BuiltinTemplate()'s.
  std::span<const CustomerMailText> mails;
};

const CustomerTextTable& EnglishCustomerTexts();
const CustomerTextTable& PolishCustomerTexts();
const CustomerTextTable& RussianCustomerTexts();
const CustomerTextTable& BulgarianCustomerTexts();
const CustomerTextTable& ItalianCustomerTexts();
const CustomerTextTable& GermanCustomerTexts();

}  // namespace frontdesk

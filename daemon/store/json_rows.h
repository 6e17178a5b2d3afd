// json_rows.h: the rows of a multi-row statement on PostgreSQL, written as
// one JSON array of objects for jsonb_to_recordset. Written by hand rather
// than through a JSON document: the escalation sweep writes thousands of
// rows at a time, and building a document of them cost more of the
// client's time than writing the text. Strings must be valid UTF-8 (they
// come from the database or from Frontdesk itself); PostgreSQL refuses the
// statement otherwise. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace frontdesk {

class JsonRows {
 public:
  // Starts the next row; keys added after it belong to it.
  JsonRows& Row();
  JsonRows& Add(std::string_view key, int64_t value);
  JsonRows& Add(std::string_view key, std::string_view text);
  JsonRows& Add(std::string_view key, const std::string& text) { return Add(key, std::string_view(text)); }
  JsonRows& Add(std::string_view key, const char* text) { return Add(key, std::string_view(text)); }
  JsonRows& Add(std::string_view key, const std::optional<int64_t>& value);
  JsonRows& Add(std::string_view key, const std::optional<std::string>& text);
  // The array, "[]" when no row was started.
  std::string Take();

 private:
  // `key` must be a plain column name: it is written as it is.
  void Key(std::string_view key);
  std::string out_ = "[";
  bool row_open_ = false;
  bool first_key_ = true;
};

}  // namespace frontdesk

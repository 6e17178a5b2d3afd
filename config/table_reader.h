// table_reader.h: reads one TOML table into config structs while collecting
// every error with its place, so that a file with five mistakes reports all
// five. Each getter marks its key as known; Finish() reports the rest as
// unknown keys. Errors read "FILE:LINE:COL: KEY.PATH: message".
// Not thread-safe; used only while loading.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config.h"

namespace frontdesk {

class ConfigErrors {
 public:
  explicit ConfigErrors(std::string file) : file_(std::move(file)) {}
  void Add(const toml::source_position& pos, std::string_view key, std::string_view message);
  // An error in another file (a template file), listed with the errors of
  // this file at `near`, the key that named the other file.
  void AddIn(const toml::source_position& near, const std::string& file, uint32_t line, uint32_t column,
             std::string_view key, std::string_view message);
  // The errors in file order (line, then column), each one line of text.
  std::vector<std::string> items() const;
  bool empty() const { return items_.empty(); }
  const std::string& file() const { return file_; }

 private:
  struct Item {
    uint32_t line, column;
    std::string text;
  };
  std::string file_;
  std::vector<Item> items_;
};

class TableReader {
 public:
  // `path` is how keys of this table are named in errors: "" for the root,
  // "server", "queue[1]".
  TableReader(const toml::table& table, std::string path, ConfigErrors& errors)
      : table_(table), path_(std::move(path)), errors_(errors) {}

  // Each getter leaves *out unchanged when the key is absent or wrong.
  // `required` adds "missing required key" at the table's position.
  void String(std::string_view key, std::string* out, bool required = false,
              size_t max_len = 4096);
  void Int(std::string_view key, int64_t* out, int64_t min, int64_t max);
  void Int(std::string_view key, int* out, int min, int max);
  void Bool(std::string_view key, bool* out);
  // A share in percent, above 0 and at most 100: 90 or 99.5. True when read.
  bool Percent(std::string_view key, double* out);
  void Duration(std::string_view key, std::chrono::seconds* out, std::chrono::seconds min,
                std::chrono::seconds max);
  void Duration(std::string_view key, std::chrono::milliseconds* out,
                std::chrono::milliseconds min, std::chrono::milliseconds max);
  void ByteSize(std::string_view key, int64_t* out, int64_t min, int64_t max);
  void Address(std::string_view key, std::string* out, bool required = false);
  void AddressList(std::string_view key, std::vector<std::string>* out);
  void StringList(std::string_view key, std::vector<std::string>* out);
  void Listen(std::string_view key, ListenAddress* out);
  void OneOf(std::string_view key, std::string* out, std::initializer_list<std::string_view> allowed);
  // A sub-table, or nullptr when absent or not a table (an error then).
  const toml::table* Table(std::string_view key);
  // An array of tables ([[key]]), empty when absent.
  std::vector<const toml::table*> ArrayOfTables(std::string_view key);

  // Where a key's value starts, or the table's own place when it is absent.
  toml::source_position PositionOf(std::string_view key) const;
  toml::source_position Position() const { return table_.source().begin; }
  const toml::table& table() const { return table_; }
  std::string KeyPath(std::string_view key) const;
  void Error(std::string_view key, std::string_view message);
  void ErrorAt(const toml::source_position& pos, std::string_view key, std::string_view message);

  // Reports every key no getter asked for, with a "did you mean" hint.
  void Finish();

 private:
  const toml::node* Get(std::string_view key);

  const toml::table& table_;
  std::string path_;
  ConfigErrors& errors_;
  std::set<std::string, std::less<>> known_;
};

// "a string", "an integer", ...: for "expected X, got Y" messages.
std::string_view TomlTypeName(const toml::node& node);

// Checks an RE2 pattern; returns the error text, or "" when it compiles.
std::string RegexError(const std::string& pattern);

}  // namespace frontdesk

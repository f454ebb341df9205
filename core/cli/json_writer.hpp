// The program's --json output (stable field names and order, documented in README.md),
// written through nlohmann-json: a document is built in call order and printed on one
// line, followed by a newline, once its outermost container is closed.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace volcrypt::cli {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out);
  // Prints the document if it is complete; a half-built one (an error midway) is dropped.
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(int64_t number);
  JsonWriter& value(bool flag);
  JsonWriter& null();

  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

 private:
  struct Document;
  std::ostream& out_;
  std::unique_ptr<Document> document_;
};

}  // namespace volcrypt::cli

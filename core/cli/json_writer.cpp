#include "json_writer.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

namespace volcrypt::cli {

// ordered_json keeps fields in the order they were written: the documented order.
struct JsonWriter::Document {
  nlohmann::ordered_json root;
  // The containers still open, outermost first. Only the innermost one grows, so the
  // pointers to the others (inside their parents) stay valid.
  std::vector<nlohmann::ordered_json*> open;
  std::optional<std::string> pending_key;
  bool started = false;

  void add(nlohmann::ordered_json value) {
    const bool container = value.is_structured();
    nlohmann::ordered_json* placed = nullptr;
    if (open.empty()) {
      if (started) throw std::logic_error("JsonWriter: a second top-level value");
      started = true;
      root = std::move(value);
      placed = &root;
    } else if (open.back()->is_object()) {
      if (!pending_key) throw std::logic_error("JsonWriter: a value in an object needs a key");
      placed = &((*open.back())[*pending_key] = std::move(value));
      pending_key.reset();
    } else {
      open.back()->push_back(std::move(value));
      placed = &open.back()->back();
    }
    if (container) open.push_back(placed);
  }

  void close(bool object) {
    if (open.empty() || open.back()->is_object() != object || pending_key) {
      throw std::logic_error("JsonWriter: mismatched end of a container");
    }
    open.pop_back();
  }
};

JsonWriter::JsonWriter(std::ostream& out) : out_(out), document_(std::make_unique<Document>()) {}

JsonWriter::~JsonWriter() {
  if (!document_->started || !document_->open.empty()) return;
  // Text from hostile input (a path, a record) may not be UTF-8: replaced, never thrown.
  out_ << document_->root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
       << '\n';
}

JsonWriter& JsonWriter::begin_object() {
  document_->add(nlohmann::ordered_json::object());
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  document_->close(true);
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  document_->add(nlohmann::ordered_json::array());
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  document_->close(false);
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (document_->open.empty() || !document_->open.back()->is_object() || document_->pending_key) {
    throw std::logic_error("JsonWriter: a key outside an object");
  }
  document_->pending_key = std::string(name);
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  document_->add(std::string(text));
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  document_->add(number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  document_->add(flag);
  return *this;
}

JsonWriter& JsonWriter::null() {
  document_->add(nullptr);
  return *this;
}

}  // namespace volcrypt::cli

// The --json output through nlohmann-json: fields in the order written, compact, one
// line; hostile text escaped; a half-written document never printed.
#include "json_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace volcrypt::cli {
namespace {

TEST(JsonWriter, WritesFieldsInOrderOnOneLine) {
  std::ostringstream out;
  {
    JsonWriter json(out);
    json.begin_object()
        .field("zeta", "z")
        .field("alpha", int64_t{-3})
        .field("flag", true)
        .key("none")
        .null()
        .key("list")
        .begin_array()
        .value("a")
        .begin_object()
        .field("k", "v")
        .end_object()
        .end_array()
        .key("empty")
        .begin_object()
        .end_object()
        .end_object();
  }
  EXPECT_EQ(out.str(),
            "{\"zeta\":\"z\",\"alpha\":-3,\"flag\":true,\"none\":null,\"list\":[\"a\",{\"k\":"
            "\"v\"}],\"empty\":{}}\n");
}

TEST(JsonWriter, EscapesQuotesControlsAndBrokenUtf8) {
  std::ostringstream out;
  {
    JsonWriter json(out);
    json.begin_object().field("path", std::string("/a\"b\\c\n\x01\xff")).end_object();
  }
  EXPECT_EQ(out.str(), "{\"path\":\"/a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\"}\n");
}

TEST(JsonWriter, AHalfWrittenDocumentIsNotPrinted) {
  std::ostringstream out;
  {
    JsonWriter json(out);
    json.begin_object().field("domain", "vm1").key("records").begin_array();
  }
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace volcrypt::cli

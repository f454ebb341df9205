// The --json output through nlohmann-json: fields in the order a renderer gives them,
// compact, one line; hostile text escaped, broken UTF-8 replaced rather than thrown.
#include "json_output.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace volcrypt::cli {
namespace {

TEST(JsonOutput, PrintsFieldsInOrderOnOneLine) {
  std::ostringstream out;
  print_json(out, Json{{"zeta", "z"},
                       {"alpha", -3},
                       {"flag", true},
                       {"none", nullptr},
                       {"list", Json::array({"a", Json{{"k", "v"}}})},
                       {"empty", Json::object()}});
  EXPECT_EQ(out.str(),
            "{\"zeta\":\"z\",\"alpha\":-3,\"flag\":true,\"none\":null,\"list\":[\"a\",{\"k\":"
            "\"v\"}],\"empty\":{}}\n");
}

TEST(JsonOutput, EscapesQuotesControlsAndBrokenUtf8) {
  std::ostringstream out;
  print_json(out, Json{{"path", std::string("/a\"b\\c\n\x01\xff")}});
  EXPECT_EQ(out.str(), "{\"path\":\"/a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\"}\n");
}

TEST(JsonOutput, ListsEachItemAsItsRendererGivesIt) {
  std::ostringstream out;
  const std::vector<int> numbers{1, 2};
  print_json(out, Json{{"doubled", json_array(numbers, [](int n) { return n * 2; })},
                       {"none", json_array(std::vector<int>(), [](int n) { return n; })}});
  EXPECT_EQ(out.str(), "{\"doubled\":[2,4],\"none\":[]}\n");
}

}  // namespace
}  // namespace volcrypt::cli

// The one parse every JSON reader of volcrypt uses: a key given twice in one object is
// an error naming the key and the object (nlohmann alone keeps the last silently), at the
// top level and nested; the same key in two objects is fine; depth and syntax as before.
#include <gtest/gtest.h>

#include <volcrypt/strict_json.hpp>

#include "expect_error.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

std::string refusal(const std::string& text) {
  return error_of(ErrorKind::usage, [&] { parse_strict_json(text, "batch file 'b.json'"); });
}

TEST(StrictJson, ReadsAWellFormedDocument) {
  const auto document = parse_strict_json(
      R"([{"domain":"vm1","volume":{"domain":"x","a":[{"b":1},{"b":2}]}},{"domain":"vm2"}])",
      "batch file 'b.json'");
  EXPECT_EQ(document[1]["domain"], "vm2");
  EXPECT_EQ(document[0]["volume"]["a"][1]["b"], 2);
}

TEST(StrictJson, AKeyTwiceAtTheTopLevelIsRefusedNamingIt) {
  EXPECT_EQ(refusal(R"({"format":1,"plugins":[],"format":2})"),
            "batch file 'b.json' gives the key 'format' twice in the top-level object");
}

TEST(StrictJson, AKeyTwiceInANestedObjectIsRefusedNamingItAndWhereItIs) {
  EXPECT_EQ(refusal(R"([{"domain":"vm1","target":"sdb"},{"domain":"vm1","target":"sdc",)"
                    R"("target":"sdd"}])"),
            "batch file 'b.json' gives the key 'target' twice in the object at /1");
  EXPECT_EQ(refusal(R"({"connection_info":{"data":{"volume_id":"a","device_path":"/x",)"
                    R"("volume_id":"b"}},"encryption":{}})"),
            "batch file 'b.json' gives the key 'volume_id' twice in the object at "
            "/connection_info/data");
  // After a nested array and object closed, the positions still add up.
  EXPECT_EQ(refusal(R"([[1,[2],{"x":{}}],{"a/b":[0,{"k":1,"k":1}]}])"),
            "batch file 'b.json' gives the key 'k' twice in the object at /1/a~1b/1");
}

TEST(StrictJson, TheKeyIsShownSafely) {
  EXPECT_EQ(refusal("{\"a\\nb\":1,\"a\\nb\":2}"),
            "batch file 'b.json' gives the key 'a\\x0ab' twice in the top-level object");
}

TEST(StrictJson, DepthAndSyntaxAreRefusedAsBefore) {
  EXPECT_EQ(refusal(std::string(100000, '[')),
            "batch file 'b.json' nests JSON deeper than the limit of 64 levels");
  EXPECT_NO_THROW(parse_strict_json(std::string(64, '[') + std::string(64, ']'), "x"));
  EXPECT_EQ(refusal("[1,"),
            "batch file 'b.json' is not valid JSON: parse error at line 1, column 4: syntax error "
            "while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
}

}  // namespace
}  // namespace volcrypt

#include "operations/audit_log.hpp"

#include <gtest/gtest.h>

namespace volcrypt {
namespace {

TEST(AuditLine, NamesWhoWhatAndHowItEnded) {
  EXPECT_EQ(audit_line({"attach", "vm1", "sdb", "vol-1", "qemu-native-luks", "ok"}, 0),
            "attach uid=0 domain=vm1 target=sdb volume=vol-1 plugin=qemu-native-luks outcome=ok");
  EXPECT_EQ(audit_line({"detach", "vm1", "sdb", "", "", "failed: no disk"}, 1000),
            "detach uid=1000 domain=vm1 target=sdb volume=- plugin=- outcome=failed: no disk");
}

TEST(AuditLine, CallerTextCannotForgeFieldsOrLines) {
  const std::string line =
      audit_line({"attach", "vm1 outcome=ok\nvolcrypt: attach", "sdb", "a b\\c", "p", "x\ny"}, 0);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line,
            "attach uid=0 domain=vm1\\x20outcome=ok\\x0avolcrypt:\\x20attach target=sdb "
            "volume=a\\x20b\\x5cc plugin=p outcome=x y");
}

}  // namespace
}  // namespace volcrypt

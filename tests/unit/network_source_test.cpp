// Network sources as a user writes them (--source, --monitor) and as each protocol's
// rules take them: every rule with values it accepts and values it refuses, each
// refusal with the exact message a user reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>

#include "expect_error.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

constexpr const char* kUuid = "5b6f2e1c-8a3d-4c7e-9f10-2b3c4d5e6f70";

NetworkSource rbd(const std::string& name) {
  NetworkSource source;
  source.protocol = NetworkProtocol::rbd;
  source.name = name;
  return source;
}

NetworkSource iscsi(const std::string& name, const std::string& host = "192.0.2.10") {
  NetworkSource source;
  source.protocol = NetworkProtocol::iscsi;
  source.name = name;
  source.hosts.push_back({host, 0});
  return source;
}

NetworkSource nbd(const std::string& name, const std::string& host = "192.0.2.30") {
  NetworkSource source;
  source.protocol = NetworkProtocol::nbd;
  source.name = name;
  source.hosts.push_back({host, 0});
  return source;
}

std::string refusal(const NetworkSource& source) {
  return error_of(ErrorKind::usage, [&] { validate_network_source(source); });
}

std::string refusal(const std::string& given) {
  return error_of(ErrorKind::usage, [&] { parse_network_source(given); });
}

TEST(NetworkSourceName, IsWhatSourceTakesWithIpv6InBrackets) {
  EXPECT_STREQ(protocol_name(NetworkProtocol::rbd), "rbd");
  EXPECT_STREQ(protocol_name(NetworkProtocol::iscsi), "iscsi");
  EXPECT_STREQ(protocol_name(NetworkProtocol::nbd), "nbd");
  NetworkSource image = rbd("volumes/volume-1");
  image.hosts.push_back({"192.0.2.20", 6789});
  EXPECT_EQ(network_source_name(image), "rbd:volumes/volume-1");
  NetworkSource target = iscsi("iqn.2010-10.org.openstack:volume-1/1", "fd00::1");
  target.hosts.front().port = 3260;
  EXPECT_EQ(network_source_name(target),
            "iscsi://[fd00::1]:3260/iqn.2010-10.org.openstack:volume-1/1");
  EXPECT_EQ(network_source_name(nbd("disk0", "nbd.example.org")), "nbd://nbd.example.org/disk0");
}

TEST(NetworkSourceParse, ReadsTheThreeFormsAndLeavesPathsAlone) {
  const auto image = parse_network_source("rbd:volumes/volume-1");
  ASSERT_TRUE(image);
  EXPECT_EQ(image->protocol, NetworkProtocol::rbd);
  EXPECT_EQ(image->name, "volumes/volume-1");
  EXPECT_TRUE(image->hosts.empty());
  EXPECT_EQ(image->cluster_name, "ceph");

  const auto target = parse_network_source("iscsi://[fd00::1]:3261/iqn.2010-10.org.openstack:v/7");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->protocol, NetworkProtocol::iscsi);
  EXPECT_EQ(target->name, "iqn.2010-10.org.openstack:v/7");
  EXPECT_EQ(target->hosts, (std::vector<NetworkHost>{{"fd00::1", 3261}}));

  const auto export_ = parse_network_source("nbd://127.0.0.1/disk0");
  ASSERT_TRUE(export_);
  EXPECT_EQ(export_->protocol, NetworkProtocol::nbd);
  EXPECT_EQ(export_->name, "disk0");
  EXPECT_EQ(export_->hosts, (std::vector<NetworkHost>{{"127.0.0.1", 0}}));
  EXPECT_EQ(network_source_name(*export_), "nbd://127.0.0.1/disk0");

  for (const char* path : {"/var/lib/v.img", "v.img", "./rbd:pool/image", "RBD:pool/image",
                           "iscsi:/x", "http://host/x", ""}) {
    EXPECT_FALSE(parse_network_source(path)) << path;
  }
}

TEST(NetworkSourceParse, RefusesMalformedUrls) {
  EXPECT_EQ(refusal("iscsi://192.0.2.10"),
            "iscsi source 'iscsi://192.0.2.10' is not iscsi://HOST[:PORT]/IQN/LUN");
  EXPECT_EQ(refusal("nbd://host"), "nbd source 'nbd://host' is not nbd://HOST[:PORT]/EXPORT");
  EXPECT_EQ(refusal("nbd:///disk0"), "nbd source has no host");
  EXPECT_EQ(refusal("rbd:image"), "rbd name 'image' is not POOL/IMAGE");
  EXPECT_EQ(refusal("rbd:a/b/c"), "rbd name 'a/b/c' is not POOL/IMAGE");
  // QEMU's old option syntax never reaches an option string.
  EXPECT_EQ(refusal("rbd:pool/image:id=admin"),
            "rbd image 'image:id=admin' has ':': only letters, digits, '.', '_' and '-' are "
            "allowed");
  EXPECT_EQ(refusal("rbd:pool/image:conf=/tmp/evil.conf"),
            "rbd name 'pool/image:conf=/tmp/evil.conf' is not POOL/IMAGE");
  EXPECT_EQ(refusal("iscsi://192.0.2.10/iqn.2010-10.org.openstack:v"),
            "iscsi name 'iqn.2010-10.org.openstack:v' is not IQN/LUN");
}

TEST(NetworkHostParse, NamesAddressesAndPorts) {
  EXPECT_EQ(parse_network_host("mon1.example.org", "--monitor"),
            (NetworkHost{"mon1.example.org", 0}));
  EXPECT_EQ(parse_network_host("192.0.2.1:6789", "--monitor"), (NetworkHost{"192.0.2.1", 6789}));
  EXPECT_EQ(parse_network_host("[2001:db8::1]:3300", "--monitor"),
            (NetworkHost{"2001:db8::1", 3300}));
  EXPECT_EQ(parse_network_host("[::1]", "--monitor"), (NetworkHost{"::1", 0}));
  EXPECT_EQ(parse_network_host("localhost:65535", "--monitor"), (NetworkHost{"localhost", 65535}));
  EXPECT_EQ(network_host_text({"2001:db8::1", 3300}), "[2001:db8::1]:3300");
  EXPECT_EQ(network_host_text({"mon1", 0}), "mon1");
  EXPECT_EQ(default_port(NetworkProtocol::rbd), 6789);
  EXPECT_EQ(default_port(NetworkProtocol::iscsi), 3260);
  EXPECT_EQ(default_port(NetworkProtocol::nbd), 10809);

  const auto refused = [](const std::string& text) {
    return error_of(ErrorKind::usage, [&] { parse_network_host(text, "--monitor"); });
  };
  EXPECT_EQ(refused("mon1:0"), "--monitor 'mon1:0' has port '0', not a number from 1 to 65535");
  EXPECT_EQ(refused("mon1:65536"),
            "--monitor 'mon1:65536' has port '65536', not a number from 1 to 65535");
  EXPECT_EQ(refused("mon1:"), "--monitor 'mon1:' has port '', not a number from 1 to 65535");
  EXPECT_EQ(refused("mon1:+1"), "--monitor 'mon1:+1' has port '+1', not a number from 1 to 65535");
  EXPECT_EQ(refused("2001:db8::1"),
            "--monitor '2001:db8::1' writes an IPv6 address without brackets ([ADDRESS]:PORT)");
  EXPECT_EQ(refused("[2001:db8::1"), "--monitor '[2001:db8::1' has '[' but no ']'");
  EXPECT_EQ(refused("[2001:db8::1]x"), "--monitor '[2001:db8::1]x' has more than a port after ']'");
  EXPECT_EQ(refused("[mon1]:6789"), "--monitor '[mon1]:6789' has brackets around no IPv6 address");
  EXPECT_EQ(refused(""), "--monitor has no host");
  EXPECT_EQ(refused(":6789"), "--monitor has no host");
  EXPECT_EQ(refused("[fe80::1%eth0]"),
            "--monitor 'fe80::1%eth0' is neither a host name (RFC 1123) nor an IPv4 or IPv6 "
            "address");
}

TEST(NetworkHostRules, Rfc1123NamesAndAddresses) {
  for (const std::string& host : std::vector<std::string>{
           "a", "mon-1", "MON1.Example.ORG", "1a.example.org", "192.0.2.1", "::1", "2001:db8::1",
           "::ffff:192.0.2.1", std::string(63, 'a') + ".example.org"}) {
    NetworkSource source = nbd("disk0", host);
    EXPECT_NO_THROW(validate_network_source(source)) << host;
  }
  const auto message = [](const std::string& host) {
    return "nbd server '" + host +
           "' is neither a host name (RFC 1123) nor an IPv4 or IPv6 address";
  };
  for (const std::string& host : std::vector<std::string>{
           "-mon", "mon-", "mon_1", "mon..example", "mon.", "192.0.2.256", "192.0.2", "1.2.3.4.5",
           "mon 1", "mon@1", "mon=1", "mon;1", "mon,1", std::string(64, 'a') + ".org",
           std::string(251, 'a').insert(63, ".").insert(127, ".").insert(191, ".")}) {
    EXPECT_EQ(refusal(nbd("disk0", host)), message(host)) << host;
  }
  EXPECT_EQ(refusal(nbd("disk0", "mon\n1")), message("mon\\x0a1"));
  EXPECT_EQ(refusal(nbd("disk0", "")), "nbd server has no host");
}

TEST(RbdRules, PoolAndImageNames) {
  for (const char* name : {"volumes/volume-8d1b6b6c-1c4b-4b8e-9d0a-2f5d2c1e4a77", "rbd/img.v2",
                           "Pool_1/Image_2", "0/0"}) {
    EXPECT_NO_THROW(validate_network_source(rbd(name))) << name;
  }
  EXPECT_EQ(refusal(rbd("/image")), "rbd pool is empty");
  EXPECT_EQ(refusal(rbd("pool/")), "rbd image is empty");
  EXPECT_EQ(refusal(rbd("")), "rbd name '' is not POOL/IMAGE");
  EXPECT_EQ(refusal(rbd(".pool/image")), "rbd pool '.pool' does not start with a letter or digit");
  EXPECT_EQ(refusal(rbd("pool/-image")),
            "rbd image '-image' does not start with a letter or digit");
  for (const char bad : {'@', ':', '=', ';', ',', ' ', '\t', '\\', '"', '\''}) {
    const std::string image = std::string("img") + bad + "x";
    const std::string shown = bad == '\t' ? "\\x09" : std::string(1, bad);
    EXPECT_EQ(refusal(rbd("pool/" + image)),
              "rbd image 'img" + shown + "x' has '" + shown +
                  "': only letters, digits, '.', '_' and '-' are allowed");
  }
  EXPECT_EQ(refusal(rbd("po\x1b[31mol/image")),
            "rbd pool 'po\\x1b[31mol' has '\\x1b': only letters, digits, '.', '_' and '-' are "
            "allowed");
  EXPECT_EQ(refusal(rbd("pool/caf\xc3\xa9")),
            "rbd image 'caf\xc3\xa9' has '\\xc3': only letters, digits, '.', '_' and '-' are "
            "allowed");
  EXPECT_NO_THROW(
      validate_network_source(rbd(std::string(127, 'p') + "/" + std::string(255, 'i'))));
  EXPECT_EQ(refusal(rbd(std::string(128, 'p') + "/image")),
            "rbd pool '" + std::string(128, 'p') + "' is longer than 127 bytes");
  EXPECT_EQ(refusal(rbd("pool/" + std::string(256, 'i'))),
            "rbd image '" + std::string(256, 'i') + "' is longer than 255 bytes");
}

TEST(RbdRules, MonitorsClusterUserAndSecret) {
  NetworkSource source = rbd("volumes/v");
  source.hosts = {{"192.0.2.20", 6789}, {"mon2.example.org", 3300}, {"2001:db8::20", 0}};
  source.cluster_name = "ceph-east_2";
  source.auth_username = "cinder";
  source.auth_secret_uuid = kUuid;
  EXPECT_NO_THROW(validate_network_source(source));
  source.auth_secret_uuid = "5B6F2E1C-8A3D-4C7E-9F10-2B3C4D5E6F70";
  EXPECT_NO_THROW(validate_network_source(source));
  source.auth_secret_uuid = kUuid;

  NetworkSource bad = source;
  bad.hosts.push_back({"mon 3", 0});
  EXPECT_EQ(refusal(bad),
            "rbd monitor 'mon 3' is neither a host name (RFC 1123) nor an IPv4 or IPv6 address");
  bad = source;
  bad.hosts.assign(65, {"192.0.2.20", 0});
  EXPECT_EQ(refusal(bad), "rbd source has 65 monitors, more than 64");
  bad = source;
  bad.cluster_name = "ceph/../../etc";
  EXPECT_EQ(refusal(bad),
            "rbd cluster name 'ceph/../../etc' has '/': only letters, digits, '.', '_' and '-' "
            "are allowed");
  bad.cluster_name = "";
  EXPECT_EQ(refusal(bad), "rbd cluster name is empty");
  bad = source;
  bad.auth_username = "client.cinder";
  EXPECT_EQ(refusal(bad), "rbd user 'client.cinder' is written without 'client.'");
  bad.auth_username = "cinder:key=x";
  EXPECT_EQ(refusal(bad),
            "rbd user 'cinder:key=x' has ':': only letters, digits, '.', '_' and '-' are allowed");
  bad.auth_username = std::string(129, 'u');
  EXPECT_EQ(refusal(bad), "rbd user '" + std::string(129, 'u') + "' is longer than 128 bytes");
  bad = source;
  bad.auth_secret_uuid = "";
  EXPECT_EQ(refusal(bad), "rbd user 'cinder' has no auth secret uuid");
  bad = source;
  bad.auth_username = "";
  EXPECT_EQ(refusal(bad), std::string("auth secret uuid '") + kUuid + "' has no rbd user");
  for (const std::string uuid :
       {"5b6f2e1c8a3d4c7e9f102b3c4d5e6f70", "5b6f2e1c-8a3d-4c7e-9f10-2b3c4d5e6f7",
        "5b6f2e1c-8a3d-4c7e-9f10-2b3c4d5e6f700", "5b6f2e1c-8a3d-4c7e-9f10_2b3c4d5e6f70",
        "zb6f2e1c-8a3d-4c7e-9f10-2b3c4d5e6f70", "{5b6f2e1c-8a3d-4c7e-9f10-2b3c4d5e6f7}"}) {
    bad.auth_username = "cinder";
    bad.auth_secret_uuid = uuid;
    EXPECT_EQ(refusal(bad),
              "auth secret uuid '" + uuid + "' is not a uuid (8-4-4-4-12 hex digits)");
  }
}

TEST(IscsiRules, IqnEuiAndNaaNames) {
  for (const std::string target :
       {"iqn.2010-10.org.openstack:volume-8d1b6b6c-1c4b-4b8e-9d0a-2f5d2c1e4a77",
        "iqn.2001-04.com.example", "iqn.2001-04.com.example:storage:diskarrays-sn-a8675309",
        "iqn.1992-01.com.example:storage.disk2.sys1.xyz", "eui.02004567A425678D",
        "eui.02004567a425678d", "naa.52004567BA64678D", "naa.62004567BA64678D0123456789ABCDEF"}) {
    EXPECT_NO_THROW(validate_network_source(iscsi(target + "/0"))) << target;
  }
  const auto refused = [](const std::string& target) { return refusal(iscsi(target + "/1")); };
  EXPECT_EQ(refused(""), "iscsi target is empty");
  EXPECT_EQ(refused("iqn.2010-10.org.openstack:" + std::string(200, 'v')),
            "iscsi target 'iqn.2010-10.org.openstack:" + std::string(200, 'v') +
                "' is longer than 223 bytes");
  EXPECT_EQ(refused("target0"),
            "iscsi target 'target0' is not an iSCSI name (iqn.YYYY-MM.DOMAIN[:NAME], eui.HEX or "
            "naa.HEX)");
  EXPECT_EQ(refused("IQN.2010-10.org.openstack"),
            "iscsi target 'IQN.2010-10.org.openstack' is not an iSCSI name "
            "(iqn.YYYY-MM.DOMAIN[:NAME], eui.HEX or naa.HEX)");
  EXPECT_EQ(refused("iqn.2010-10.org.OpenStack:v"),
            "iscsi target 'iqn.2010-10.org.OpenStack:v' has 'O': an IQN holds only lowercase "
            "letters, digits, '.', '-' and ':' (RFC 3720)");
  for (const char* bad :
       {"iqn.2010-10.org.x:a b", "iqn.2010-10.org.x:a@b", "iqn.2010-10.org.x:a=b",
        "iqn.2010-10.org.x:a;b", "iqn.2010-10.org.x:a,b", "iqn.2010-10.org.x:a_b"}) {
    const std::string text = bad;
    const char c = text[text.size() - 2];
    EXPECT_EQ(refused(text), "iscsi target '" + text + "' has '" + std::string(1, c) +
                                 "': an IQN holds only lowercase letters, digits, '.', '-' and "
                                 "':' (RFC 3720)");
  }
  EXPECT_EQ(refused("iqn.2010-13.org.openstack"),
            "iscsi target 'iqn.2010-13.org.openstack' has no date YYYY-MM and '.' after iqn.");
  EXPECT_EQ(refused("iqn.10-10.org.openstack"),
            "iscsi target 'iqn.10-10.org.openstack' has no date YYYY-MM and '.' after iqn.");
  EXPECT_EQ(refused("iqn.2010-10"),
            "iscsi target 'iqn.2010-10' has no date YYYY-MM and '.' after iqn.");
  EXPECT_EQ(refused("iqn.2010-10.:v"),
            "iscsi target 'iqn.2010-10.:v' has no reversed domain name after its date");
  EXPECT_EQ(refused("iqn.2010-10.-org:v"),
            "iscsi target 'iqn.2010-10.-org:v' has no reversed domain name after its date");
  EXPECT_EQ(refused("eui.02004567A425678"),
            "iscsi target 'eui.02004567A425678' is not eui. and 16 hex digits");
  EXPECT_EQ(refused("eui.02004567A425678G"),
            "iscsi target 'eui.02004567A425678G' is not eui. and 16 hex digits");
  EXPECT_EQ(refused("naa.52004567BA64678D01"),
            "iscsi target 'naa.52004567BA64678D01' is not naa. and 16 or 32 hex digits");
}

TEST(IscsiRules, LunsPortalsAndChap) {
  const std::string iqn = "iqn.2010-10.org.openstack:v";
  for (const char* lun : {"0", "1", "255", "16383"}) {
    EXPECT_NO_THROW(validate_network_source(iscsi(iqn + "/" + lun))) << lun;
  }
  for (const std::string lun : {"16384", "-1", "01", "", "1a", "+1", "99999999999"}) {
    EXPECT_EQ(refusal(iscsi(iqn + "/" + lun)),
              "iscsi LUN '" + lun + "' is not a number from 0 to 16383");
  }
  EXPECT_EQ(refusal(iscsi(iqn)), "iscsi name '" + iqn + "' is not IQN/LUN");
  EXPECT_EQ(refusal(iscsi("lun0")), "iscsi name 'lun0' is not IQN/LUN");

  NetworkSource none = iscsi(iqn + "/1");
  none.hosts.clear();
  EXPECT_EQ(refusal(none), "iscsi portal is missing");
  NetworkSource two = iscsi(iqn + "/1");
  two.hosts.push_back({"192.0.2.11", 3260});
  EXPECT_EQ(refusal(two), "iscsi source has 2 servers; it takes one");
  EXPECT_EQ(
      refusal(iscsi(iqn + "/1", "portal_1")),
      "iscsi portal 'portal_1' is neither a host name (RFC 1123) nor an IPv4 or IPv6 address");

  NetworkSource chap = iscsi(iqn + "/1");
  chap.auth_username = "Xk3mLq9w2Rt7yZ0pA5bC";
  chap.auth_secret_uuid = kUuid;
  EXPECT_NO_THROW(validate_network_source(chap));
  chap.auth_username = "user@realm";
  EXPECT_EQ(refusal(chap),
            "iscsi CHAP user 'user@realm' has '@': only letters, digits, '.', '_' and '-' are "
            "allowed");
  chap.auth_username = "user";
  chap.auth_secret_uuid = "";
  EXPECT_EQ(refusal(chap), "iscsi CHAP user 'user' has no auth secret uuid");
  chap.auth_username = "";
  chap.auth_secret_uuid = kUuid;
  EXPECT_EQ(refusal(chap), std::string("auth secret uuid '") + kUuid + "' has no iscsi CHAP user");
}

TEST(NbdRules, ExportsServerAndNoAuth) {
  for (const char* name : {"disk0", "vol.1_a-b", "0"}) {
    EXPECT_NO_THROW(validate_network_source(nbd(name))) << name;
  }
  EXPECT_EQ(refusal(nbd("")), "nbd export is empty");
  EXPECT_EQ(refusal(nbd("a/b")),
            "nbd export 'a/b' has '/': only letters, digits, '.', '_' and '-' are allowed");
  EXPECT_EQ(refusal(nbd("disk,0")),
            "nbd export 'disk,0' has ',': only letters, digits, '.', '_' and '-' are allowed");
  EXPECT_EQ(refusal(nbd(std::string(256, 'e'))),
            "nbd export '" + std::string(256, 'e') + "' is longer than 255 bytes");
  NetworkSource none = nbd("disk0");
  none.hosts.clear();
  EXPECT_EQ(refusal(none), "nbd server is missing");
  NetworkSource user = nbd("disk0");
  user.auth_username = "u";
  EXPECT_EQ(refusal(user), "nbd source takes no auth user ('u')");
  NetworkSource secret = nbd("disk0");
  secret.auth_secret_uuid = kUuid;
  EXPECT_EQ(refusal(secret), std::string("nbd source takes no auth secret ('") + kUuid + "')");
}

TEST(SameNetworkVolume, ByProtocolNameAndServerOrCluster) {
  NetworkSource a = rbd("volumes/v");
  NetworkSource b = rbd("volumes/v");
  EXPECT_TRUE(same_network_volume(a, b));  // no monitors: both the default cluster
  b.cluster_name = "east";
  EXPECT_FALSE(same_network_volume(a, b));
  b.cluster_name = "ceph";
  b.hosts = {{"192.0.2.20", 6789}};
  EXPECT_TRUE(same_network_volume(a, b));            // one side names no monitors
  a.hosts = {{"192.0.2.21", 0}, {"192.0.2.20", 0}};  // 0: rbd's 6789
  EXPECT_TRUE(same_network_volume(a, b));
  a.hosts = {{"192.0.2.21", 6789}};
  EXPECT_FALSE(same_network_volume(a, b));
  a.hosts = {{"192.0.2.20", 3300}};
  EXPECT_FALSE(same_network_volume(a, b));
  EXPECT_FALSE(same_network_volume(rbd("volumes/v"), rbd("volumes/w")));

  NetworkSource t = iscsi("iqn.2010-10.org.openstack:v/1", "Portal.Example.org");
  NetworkSource u = iscsi("iqn.2010-10.org.openstack:v/1", "portal.example.org");
  u.hosts.front().port = 3260;
  EXPECT_TRUE(same_network_volume(t, u));
  u.name = "iqn.2010-10.org.openstack:v/2";
  EXPECT_FALSE(same_network_volume(t, u));
  EXPECT_FALSE(same_network_volume(iscsi("iqn.2010-10.org.openstack:v/1", "192.0.2.10"),
                                   iscsi("iqn.2010-10.org.openstack:v/1", "192.0.2.11")));
  EXPECT_FALSE(same_network_volume(nbd("disk0"), iscsi("disk0")));
  NetworkSource n = nbd("disk0");
  n.hosts.front().port = 10810;
  EXPECT_FALSE(same_network_volume(nbd("disk0"), n));
  EXPECT_TRUE(same_network_volume(nbd("disk0"), nbd("disk0")));
}

}  // namespace
}  // namespace volcrypt

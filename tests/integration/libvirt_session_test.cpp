// LibvirtSession against the real system daemon (qemu:///system, started by
// .ci/start-libvirtd) and real TCG domains: secrets, metadata, disk hot-plug.
#include "domain/libvirt_session.hpp"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <tinyxml2.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/record.hpp"
#include "expect_error.hpp"
#include "operations/disk_steps.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

const MetadataElement kRecordElement{kRecordNamespace, kRecordPrefix};

constexpr const char* kUri = "qemu:///system";

std::string unique_name(const std::string& what) {
  return "volcrypt-test-" + std::to_string(getpid()) + what;
}

// No disks and no OS: the guest sits in the BIOS, which is all disk hot-plug needs.
std::string domain_definition(const std::string& name) {
  return "<domain type='qemu'><name>" + name +
         "</name><memory unit='MiB'>64</memory>"
         "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
         "<devices><controller type='scsi' model='virtio-scsi'/></devices></domain>";
}

std::vector<uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

class LibvirtSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    session_ = std::make_unique<LibvirtSession>(kUri);
    domain_ = unique_name("");
    usage_id_ = unique_name("-volume");
  }

  void TearDown() override {
    for (const auto& name : domains_) {
      if (virDomainPtr dom = virDomainLookupByName(session_->raw(), name.c_str())) {
        if (virDomainIsActive(dom) == 1) virDomainDestroy(dom);
        if (virDomainIsPersistent(dom) == 1) virDomainUndefine(dom);
        virDomainFree(dom);
      }
    }
    if (auto uuid = session_->lookup_volume_secret(usage_id_)) session_->undefine_secret(*uuid);
    if (!scratch_.empty()) std::filesystem::remove_all(scratch_);
  }

  void define_domain() {
    virDomainPtr dom = virDomainDefineXML(session_->raw(), domain_definition(domain_).c_str());
    ASSERT_NE(dom, nullptr) << virGetLastErrorMessage();
    domains_.push_back(domain_);
    virDomainFree(dom);
  }

  void start_domain() {
    virDomainPtr dom = virDomainLookupByName(session_->raw(), domain_.c_str());
    ASSERT_NE(dom, nullptr) << virGetLastErrorMessage();
    EXPECT_EQ(virDomainCreate(dom), 0) << virGetLastErrorMessage();
    virDomainFree(dom);
  }

  void start_transient_domain(const std::string& name) {
    virDomainPtr dom = virDomainCreateXML(session_->raw(), domain_definition(name).c_str(), 0);
    ASSERT_NE(dom, nullptr) << virGetLastErrorMessage();
    domains_.push_back(name);
    virDomainFree(dom);
  }

  // A 1 MiB raw file in a directory QEMU (running as libvirt-qemu) can reach.
  std::string raw_file(const std::string& name) {
    if (scratch_.empty()) {
      scratch_ = std::filesystem::temp_directory_path() / unique_name("-files");
      std::filesystem::create_directories(scratch_);
      std::filesystem::permissions(scratch_, std::filesystem::perms(0755));
    }
    auto path = scratch_ / name;
    std::ofstream(path).write(std::string(1 << 20, '\0').data(), 1 << 20);
    return path;
  }

  // A throw-away LUKS1 volume, formatted with libcryptsetup (no passphrase on any
  // command line, no PBKDF timing to fail).
  std::string luks_file(const std::string& name, const std::string& passphrase) {
    std::string path = raw_file(name);
    test_volumes::make_luks_volume(path, test_volumes::LuksVersion::luks1, passphrase,
                                   16 * 1024 * 1024);
    return path;
  }

  int secrets_with_usage(const std::string& usage_id) {
    virSecretPtr* secrets = nullptr;
    int n = virConnectListAllSecrets(session_->raw(), &secrets, 0);
    EXPECT_GE(n, 0) << virGetLastErrorMessage();
    int matching = 0;
    for (int i = 0; i < n; ++i) {
      const char* usage = virSecretGetUsageID(secrets[i]);
      if (virSecretGetUsageType(secrets[i]) == VIR_SECRET_USAGE_TYPE_VOLUME && usage != nullptr &&
          usage_id == usage) {
        ++matching;
      }
      virSecretFree(secrets[i]);
    }
    std::free(secrets);
    return matching;
  }

  std::unique_ptr<LibvirtSession> session_;
  std::string domain_;
  std::string usage_id_;
  std::vector<std::string> domains_;
  std::filesystem::path scratch_;
};

TEST_F(LibvirtSessionTest, ReportsTheRealHypervisor) {
  EXPECT_EQ(session_->hypervisor_type(), "QEMU");
  EXPECT_GE(session_->hypervisor_version(), 2006000u);  // QEMU >= 2.6
  EXPECT_GE(session_->library_version(), 2002000u);     // libvirt >= 2.2.0
}

TEST_F(LibvirtSessionTest, UnreachableUriNamesItself) {
  std::string message = test_support::error_of(
      ErrorKind::libvirt, [] { LibvirtSession("qemu+unix:///system?socket=/nonexistent/sock"); });
  EXPECT_TRUE(message.starts_with(
      "cannot connect to libvirt at qemu+unix:///system?socket=/nonexistent/sock: "))
      << message;
}

TEST_F(LibvirtSessionTest, DefinesLooksUpReusesAndUndefinesAVolumeSecret) {
  ASSERT_FALSE(session_->lookup_volume_secret(usage_id_).has_value());

  const std::string uuid = session_->define_volume_secret(usage_id_, bytes("first passphrase"));
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(session_->lookup_volume_secret(usage_id_), uuid);

  virSecretPtr secret = virSecretLookupByUUIDString(session_->raw(), uuid.c_str());
  ASSERT_NE(secret, nullptr) << virGetLastErrorMessage();
  char* xml = virSecretGetXMLDesc(secret, 0);
  ASSERT_NE(xml, nullptr) << virGetLastErrorMessage();
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml), tinyxml2::XML_SUCCESS) << xml;
  const auto* root = doc.RootElement();
  EXPECT_STREQ(root->Attribute("private"), "yes") << xml;
  EXPECT_STREQ(root->Attribute("ephemeral"), "no") << xml;
  ASSERT_NE(root->FirstChildElement("usage"), nullptr) << xml;
  EXPECT_STREQ(root->FirstChildElement("usage")->Attribute("type"), "volume") << xml;
  EXPECT_EQ(std::string(root->FirstChildElement("usage")->FirstChildElement("volume")->GetText()),
            usage_id_);
  std::free(xml);
  // Private: libvirt will not hand the value back to a client.
  size_t size = 0;
  unsigned char* value = virSecretGetValue(secret, &size, 0);
  EXPECT_EQ(value, nullptr);
  std::free(value);
  virSecretFree(secret);

  // The same volume id reuses the secret rather than defining a second one.
  EXPECT_EQ(session_->define_volume_secret(usage_id_, bytes("second passphrase")), uuid);
  EXPECT_EQ(secrets_with_usage(usage_id_), 1);

  EXPECT_TRUE(session_->undefine_secret(uuid));
  EXPECT_FALSE(session_->lookup_volume_secret(usage_id_).has_value());
  EXPECT_EQ(secrets_with_usage(usage_id_), 0);
  EXPECT_FALSE(session_->undefine_secret(uuid));
  EXPECT_FALSE(session_->undefine_secret("not-a-uuid"));
}

TEST_F(LibvirtSessionTest, FailedValueLeavesNoNewSecretBehind) {
  // libvirt refuses an empty value, after the secret has been defined.
  std::string message = test_support::error_of(
      ErrorKind::libvirt, [&] { session_->define_volume_secret(usage_id_, {}); });
  EXPECT_TRUE(message.starts_with("cannot set the value of the libvirt secret for volume " +
                                  usage_id_ + ": "))
      << message;
  EXPECT_FALSE(session_->lookup_volume_secret(usage_id_).has_value());
  EXPECT_EQ(secrets_with_usage(usage_id_), 0);
}

TEST_F(LibvirtSessionTest, MissingDomainIsNotFound) {
  const std::string missing = unique_name("-missing");
  EXPECT_EQ(
      test_support::error_of(ErrorKind::not_found, [&] { session_->require_domain(missing); }),
      "domain '" + missing + "' not found");
  EXPECT_EQ(
      test_support::error_of(ErrorKind::not_found,
                             [&] { session_->domain_metadata(missing, kRecordNamespace, false); }),
      "domain '" + missing + "' not found");
}

TEST_F(LibvirtSessionTest, DescribesAShutOffPersistentDomain) {
  ASSERT_NO_FATAL_FAILURE(define_domain());
  EXPECT_NO_THROW(session_->require_domain(domain_));
  EXPECT_FALSE(session_->domain_active(domain_));
  EXPECT_TRUE(session_->domain_persistent(domain_));
  const std::string xml = session_->domain_xml(domain_, true);
  EXPECT_NE(xml.find("<name>" + domain_ + "</name>"), std::string::npos) << xml;
  EXPECT_TRUE(disks_in_domain_xml(xml).empty());
}

TEST_F(LibvirtSessionTest, MetadataSetGetRemoveOnAShutOffDomain) {
  ASSERT_NO_FATAL_FAILURE(define_domain());
  EXPECT_FALSE(session_->domain_metadata(domain_, kRecordNamespace, true).has_value());

  Record record{"sdb",
                "vol-1",
                "/srv/v1.img",
                "luks",
                "qemu-native-luks",
                "1.0.0",
                {{"secret-uuid", "0a1b2c3d-0000-4000-8000-000000000001"}}};
  session_->set_domain_metadata(domain_, kRecordElement, records_to_xml({record}), false, true);

  auto stored = session_->domain_metadata(domain_, kRecordNamespace, true);
  ASSERT_TRUE(stored.has_value());
  // Shown so the exact form libvirt gives back stays visible in test logs.
  std::cout << "virDomainGetMetadata returned:\n" << *stored << "\n";
  auto records = records_from_xml(*stored);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].target, "sdb");
  EXPECT_EQ(records[0].plugin_id, "qemu-native-luks");
  EXPECT_EQ(records[0].state.at("secret-uuid"), "0a1b2c3d-0000-4000-8000-000000000001");
  // A shut-off domain has no live state: "live" reads and writes go to its config.
  EXPECT_EQ(session_->domain_metadata(domain_, kRecordNamespace, false), stored);

  // It lands in <metadata> under volcrypt's own namespace.
  const std::string xml = session_->domain_xml(domain_, true);
  EXPECT_NE(xml.find("<volcrypt:attachments xmlns:volcrypt=\"urn:volcrypt:record:1\">"),
            std::string::npos)
      << xml;

  session_->set_domain_metadata(domain_, kRecordElement, "", true, false);
  EXPECT_FALSE(session_->domain_metadata(domain_, kRecordNamespace, true).has_value());
  // Removing what is not there is not an error.
  EXPECT_NO_THROW(session_->set_domain_metadata(domain_, kRecordElement, "", false, true));
}

TEST_F(LibvirtSessionTest, LiveMetadataStaysOutOfTheConfig) {
  ASSERT_NO_FATAL_FAILURE(define_domain());
  ASSERT_NO_FATAL_FAILURE(start_domain());
  EXPECT_TRUE(session_->domain_active(domain_));
  Record record{"sdb", "vol-1", "/srv/v1.img", "luks", "qemu-native-luks", "1.0.0", {}};
  session_->set_domain_metadata(domain_, kRecordElement, records_to_xml({record}), true, false);
  auto live = session_->domain_metadata(domain_, kRecordNamespace, false);
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(records_from_xml(*live).at(0).target, "sdb");
  EXPECT_FALSE(session_->domain_metadata(domain_, kRecordNamespace, true).has_value());
}

TEST_F(LibvirtSessionTest, TransientDomainMetadataIsLive) {
  const std::string transient = unique_name("-transient");
  ASSERT_NO_FATAL_FAILURE(start_transient_domain(transient));
  EXPECT_FALSE(session_->domain_persistent(transient));
  Record record{"sdc", "vol-2", "/dev/loop0", "plain", "plain-dmcrypt", "1.0.0", {}};
  session_->set_domain_metadata(transient, kRecordElement, records_to_xml({record}), true, false);
  // A transient domain has no config; even an "inactive" read finds the live record.
  auto stored = session_->domain_metadata(transient, kRecordNamespace, true);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(records_from_xml(*stored).at(0).plugin_id, "plain-dmcrypt");
}

TEST_F(LibvirtSessionTest, HotPlugsAndUnplugsARawFileDisk) {
  ASSERT_NO_FATAL_FAILURE(define_domain());
  ASSERT_NO_FATAL_FAILURE(start_domain());
  DiskSpec spec;
  spec.source_path = raw_file("plain.img");
  spec.target = "sdb";
  spec.bus = Bus::scsi;
  spec.serial = "vol-plain";
  session_->attach_device(domain_, build_disk_xml(spec), true, false);

  auto disk = find_disk(session_->domain_xml(domain_, false), "sdb");
  ASSERT_TRUE(disk.has_value());
  EXPECT_EQ(disk->source_path, spec.source_path);
  EXPECT_FALSE(disk->encryption.has_value());
  // Live only: the persistent config does not gain the disk.
  EXPECT_FALSE(find_disk(session_->domain_xml(domain_, true), "sdb").has_value());
  // Still there: a short wait times out.
  EXPECT_FALSE(wait_disk_removed(*session_, domain_, "sdb", 60));

  session_->detach_device(domain_, disk->xml, true, false);
  EXPECT_TRUE(wait_disk_removed(*session_, domain_, "sdb", 10000));
  EXPECT_FALSE(find_disk(session_->domain_xml(domain_, false), "sdb").has_value());
}

TEST_F(LibvirtSessionTest, RefusedAttachKeepsLibvirtsMessage) {
  ASSERT_NO_FATAL_FAILURE(define_domain());
  ASSERT_NO_FATAL_FAILURE(start_domain());
  DiskSpec spec;
  spec.source_path = "/nonexistent/volcrypt/missing.img";
  spec.target = "sdb";
  std::string message = test_support::error_of(ErrorKind::libvirt, [&] {
    session_->attach_device(domain_, build_disk_xml(spec), true, false);
  });
  EXPECT_TRUE(
      message.starts_with("libvirt refused to attach the disk to domain '" + domain_ + "': "))
      << message;
  EXPECT_NE(message.find("/nonexistent/volcrypt/missing.img"), std::string::npos) << message;

  std::string detach = test_support::error_of(ErrorKind::libvirt, [&] {
    session_->detach_device(domain_, build_disk_xml(spec), true, false);
  });
  EXPECT_TRUE(
      detach.starts_with("libvirt refused to detach the disk from domain '" + domain_ + "': "))
      << detach;
}

TEST_F(LibvirtSessionTest, NativeLuksOpensOnlyWithTheRightPassphrase) {
  ASSERT_NO_FATAL_FAILURE(define_domain());
  ASSERT_NO_FATAL_FAILURE(start_domain());
  DiskSpec spec;
  spec.source_path = luks_file("luks.img", "right-passphrase");
  spec.target = "sdb";
  spec.encryption = NativeEncryption{
      "luks", session_->define_volume_secret(usage_id_, bytes("wrong-passphrase"))};

  // QEMU's refusal reaches the caller word for word; the engine recognises it.
  std::string message = test_support::error_of(ErrorKind::libvirt, [&] {
    session_->attach_device(domain_, build_disk_xml(spec), true, false);
  });
  EXPECT_NE(message.find("Invalid password, cannot unlock any keyslot"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("wrong-passphrase"), std::string::npos) << message;

  // Setting the right value on the same secret (reused by volume id) lets QEMU open it.
  EXPECT_EQ(session_->define_volume_secret(usage_id_, bytes("right-passphrase")),
            spec.encryption->secret_uuid);
  session_->attach_device(domain_, build_disk_xml(spec), true, false);
  auto disk = find_disk(session_->domain_xml(domain_, false), "sdb");
  ASSERT_TRUE(disk.has_value());
  ASSERT_TRUE(disk->encryption.has_value());
  EXPECT_EQ(disk->encryption->secret_uuid, spec.encryption->secret_uuid);
  session_->detach_device(domain_, disk->xml, true, false);
  EXPECT_TRUE(wait_disk_removed(*session_, domain_, "sdb", 10000));
}

}  // namespace
}  // namespace volcrypt

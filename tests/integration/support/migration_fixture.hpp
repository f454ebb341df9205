// What the migration tests share: the system libvirtd (qemu:///system) as the source, a
// second one (support/second-libvirtd) as the destination, a running domain with a
// native LUKS disk whose volume file is in /tmp (both daemons see it), the key folder
// the migration reads, and checks of either side through libvirt's own API.
#pragma once

#include <libvirt/libvirt.h>

#include <memory>
#include <string>
#include <vector>

#include "integration_test.hpp"
#include "libvirt_checks.hpp"
#include "second_libvirtd.hpp"

namespace volcrypt::test {

// qemu-io's verdict on a read of the first MiB through QEMU's decryption.
inline const std::string kReadOk = "read 1048576/1048576 bytes at offset 0";

// QEMU's migration data goes over loopback too; the destination picks the port.
inline const std::string kMigrateUri = "tcp://127.0.0.1";

// "" when there is no such domain.
std::string domain_uuid(virConnectPtr connection, const std::string& name);

// Intent files of this domain left on this host (also a temporary one that a kill left
// before its rename: recover removes those too).
std::vector<std::string> intents_of(const std::string& domain_uuid);

class MigrationTest : public IntegrationTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A running domain (transient unless persistent) with a native LUKS disk at sdb whose
  // plaintext starts with 0xab, attached by volcrypt; its volume's passphrase is in
  // key_dir (volume_id names it).
  std::unique_ptr<TestDomain> domain_with_luks_disk(bool persistent = false);

  // Whether the destination's secret `uuid` holds the test passphrase (compared without
  // printing either side: the passphrase never shows in test output).
  bool destination_secret_holds_passphrase(const std::string& uuid) const;

  std::unique_ptr<SecondLibvirtd> destination;
  std::string key_dir;
  std::string volume_id;
};

}  // namespace volcrypt::test

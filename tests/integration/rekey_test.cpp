// `volcrypt rekey` of a native LUKS file attached to a running domain: the guest reads its
// plaintext before and after; afterwards libcryptsetup (the test's own calls, not
// volcrypt's) finds the old passphrase opening nothing and the new one a slot; QEMU,
// started again from the persistent definition, opens the volume with what the secret
// holds (so it holds the new passphrase); detach, then attach with the new passphrase
// works. A wrong current passphrase, a full header, plain and RBD records and a volume in
// use elsewhere are refused with nothing changed.
#include <gmock/gmock.h>
#include <libcryptsetup.h>
#include <libvirt/libvirt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "integration_test.hpp"
#include "json_objects.hpp"
#include "kill_points.hpp"
#include "syslog_listener.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

constexpr size_t kMiB = 1024 * 1024;
const std::string kReadOk = "read 1048576/1048576 bytes at offset 0";

// The key slots libcryptsetup finds active.
int active_slots(const std::string& volume) {
  crypt_device* device = nullptr;
  if (crypt_init(&device, volume.c_str()) < 0 || crypt_load(device, CRYPT_LUKS, nullptr) < 0) {
    crypt_free(device);
    throw std::runtime_error("cannot read the header of " + volume);
  }
  int active = 0;
  for (int slot = 0; slot < crypt_keyslot_max(crypt_get_type(device)); ++slot) {
    const crypt_keyslot_info info = crypt_keyslot_status(device, slot);
    if (info == CRYPT_SLOT_ACTIVE || info == CRYPT_SLOT_ACTIVE_LAST) ++active;
  }
  crypt_free(device);
  return active;
}

// Fills every free key slot with throw-away passphrases, at the lowest PBKDF2 cost.
void fill_key_slots(const std::string& volume, const std::string& passphrase) {
  crypt_device* device = nullptr;
  if (crypt_init(&device, volume.c_str()) < 0 || crypt_load(device, CRYPT_LUKS, nullptr) < 0) {
    crypt_free(device);
    throw std::runtime_error("cannot read the header of " + volume);
  }
  crypt_pbkdf_type cheap{};
  cheap.type = CRYPT_KDF_PBKDF2;
  cheap.hash = "sha256";
  cheap.iterations = 1000;
  cheap.flags = CRYPT_PBKDF_NO_BENCHMARK;
  crypt_set_pbkdf_type(device, &cheap);
  int added = 0;
  while (true) {
    const std::string other = "filler-" + std::to_string(added);
    if (crypt_keyslot_add_by_passphrase(device, CRYPT_ANY_SLOT, passphrase.data(),
                                        passphrase.size(), other.data(), other.size()) < 0) {
      break;
    }
    ++added;
  }
  crypt_free(device);
}

void destroy_domain(virConnectPtr connection, const std::string& name) {
  virDomainPtr domain = virDomainLookupByName(connection, name.c_str());
  if (domain == nullptr || virDomainDestroy(domain) != 0) {
    if (domain) virDomainFree(domain);
    throw std::runtime_error("cannot stop domain " + name);
  }
  virDomainFree(domain);
}

void set_record(virConnectPtr connection, const std::string& domain, const std::string& record) {
  virDomainPtr handle = virDomainLookupByName(connection, domain.c_str());
  const int rc = virDomainSetMetadata(handle, VIR_DOMAIN_METADATA_ELEMENT, record.c_str(),
                                      "volcrypt", "urn:volcrypt:record:1", VIR_DOMAIN_AFFECT_LIVE);
  virDomainFree(handle);
  if (rc != 0) throw std::runtime_error("cannot rewrite the record of " + domain);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("'" + from + "' not in " + text);
  return text.replace(at, from.size(), to);
}

class Rekey : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    new_passphrase = "new-" + passphrase;
    new_passphrase_file = path("new-passphrase");
    test_volumes::write_file(new_passphrase_file, new_passphrase);
    chmod(new_passphrase_file.c_str(), 0600);
  }

  std::vector<std::string> attach_args(const std::string& domain, const std::string& volume,
                                       const std::string& volume_id, const std::string& key_file) {
    return {"attach", "--domain",    domain,    "--target",   "sdb",  "--source",
            volume,   "--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
            key_file};
  }

  ProcessResult rekey(std::vector<std::string> args) {
    args.insert(args.begin(), "rekey");
    ProcessResult r = volcrypt(args);
    expect_no_secret_in(r);
    EXPECT_EQ(r.out.find(new_passphrase), std::string::npos) << "the new passphrase leaked";
    EXPECT_EQ(r.err.find(new_passphrase), std::string::npos) << "the new passphrase leaked";
    return r;
  }

  std::vector<std::string> attached_form(const std::string& domain) {
    return {"--domain",
            domain,
            "--target",
            "sdb",
            "--passphrase-file",
            passphrase_file,
            "--new-passphrase-file",
            new_passphrase_file};
  }

  std::string new_passphrase;
  std::string new_passphrase_file;
};

TEST_F(Rekey, LiveNativeLuksFileTakesTheNewPassphraseWhileTheGuestReads) {
  DomainOptions options;
  options.persistent = true;
  TestDomain domain(connection->get(), unique("rekey"), options);
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto attach = attach_args(domain.name(), volume, volume_id, passphrase_file);
  attach.push_back("--live");
  attach.push_back("--config");
  ProcessResult r = volcrypt(attach);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_THAT(domain.read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));

  auto args = attached_form(domain.name());
  args.push_back("--json");
  r = rekey(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"domain\":\"" + domain.name() + "\",\"target\":\"sdb\",\"volume_id\":\"" +
                       volume_id + "\",\"source\":\"" + volume +
                       "\",\"plugin\":\"qemu-native-luks\",\"new_slot\":1," +
                       "\"removed_slots\":[0],\"secret_uuid\":\"" + secrets[0] + "\"}\n");

  // The guest never noticed: QEMU decrypts with the volume key it holds.
  EXPECT_THAT(domain.read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_EQ(active_slots(volume), 1);
  // The same secret, which QEMU now opens the volume with from the persistent definition:
  // the old passphrase opens no slot, so it holds the new one.
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  destroy_domain(connection->get(), domain.name());
  domain.start();
  EXPECT_THAT(domain.read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
  EXPECT_EQ(volcrypt({"check", "--domain", domain.name()}).exit_code, 0);

  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb", "--live", "--config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = volcrypt(attach_args(domain.name(), volume, volume_id, passphrase_file));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  r = volcrypt(attach_args(domain.name(), volume, volume_id, new_passphrase_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain.read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
}

// With `secrets = ephemeral` the secret takes the new passphrase in libvirtd's memory
// only: still ephemeral, no file under /etc/libvirt/secrets holds it, and QEMU, started
// again, opens the volume with it.
TEST_F(Rekey, AnEphemeralSecretKeepsTheNewPassphraseInMemoryOnly) {
  const std::string config = path("ephemeral.conf");
  test_volumes::write_file(config, "secrets = ephemeral\n");
  DomainOptions options;
  options.persistent = true;
  TestDomain domain(connection->get(), unique("rekey-eph"), options);
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto attach = attach_args(domain.name(), volume, volume_id, passphrase_file);
  attach.insert(attach.begin(), {"--config", config});
  attach.insert(attach.end(), {"--live", "--config"});
  ProcessResult r = volcrypt(attach);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  auto args = attached_form(domain.name());
  args.insert(args.begin(), {"--config", config, "rekey"});
  r = volcrypt(args);
  EXPECT_EQ(r.err.find(new_passphrase), std::string::npos);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(secret_xml(connection->get(), secrets[0]), HasSubstr("ephemeral='yes'"));
  EXPECT_THAT(secret_files_holding(new_passphrase), ::testing::IsEmpty());
  destroy_domain(connection->get(), domain.name());
  domain.start();
  EXPECT_THAT(domain.read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, passphrase));
}

// A shareable volume's attachments share one secret: rekey through one of them sets it
// once, and both guests read on.
TEST_F(Rekey, AShareableVolumesOneSecretIsSetOnceForEveryAttachment) {
  auto first = running_domain("rekey-share-a");
  auto second = running_domain("rekey-share-b");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  for (const auto* domain : {first.get(), second.get()}) {
    auto attach = attach_args(domain->name(), volume, volume_id, passphrase_file);
    attach.push_back("--shareable");
    const ProcessResult r = volcrypt(attach);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  const ProcessResult r = rekey(attached_form(second->name()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("; secret " + secrets[0] + " holds it\n"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, passphrase));
  for (const auto* domain : {first.get(), second.get()}) {
    EXPECT_THAT(domain->read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
    EXPECT_EQ(volcrypt({"check", "--domain", domain->name()}).exit_code, 0);
  }
}

TEST_F(Rekey, AWrongCurrentPassphraseChangesNothing) {
  auto domain = running_domain("rekey-wrong");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ASSERT_EQ(volcrypt(attach_args(domain->name(), volume, volume_id, passphrase_file)).exit_code, 0);
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  const auto record = volcrypt_metadata(connection->get(), domain->name(), false);
  const std::string wrong_file = path("wrong");
  test_volumes::write_file(wrong_file, "not-the-passphrase");
  chmod(wrong_file.c_str(), 0600);

  const ProcessResult r = rekey({"--domain", domain->name(), "--target", "sdb", "--passphrase-file",
                                 wrong_file, "--new-passphrase-file", new_passphrase_file});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "volcrypt: error: the passphrase is wrong for volume " + volume_id +
                       " (no key slot opens)\n");
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_EQ(active_slots(volume), 1);
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_EQ(volcrypt_metadata(connection->get(), domain->name(), false), record);
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
  EXPECT_EQ(volcrypt({"check", "--domain", domain->name()}).exit_code, 0);
}

TEST_F(Rekey, AHeaderWithNoFreeKeySlotIsRefusedAndLeftAsItWas) {
  auto domain = running_domain("rekey-full");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  fill_key_slots(volume, passphrase);
  ASSERT_EQ(active_slots(volume), 8);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ASSERT_EQ(volcrypt(attach_args(domain->name(), volume, volume_id, passphrase_file)).exit_code, 0);
  const auto secrets = secrets_for_volume(connection->get(), volume_id);

  const ProcessResult r = rekey(attached_form(domain->name()));
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.err, "volcrypt: error: volume '" + volume +
                       "' has no free key slot (all 8 are in use): remove one it no longer "
                       "needs first\n");
  EXPECT_EQ(active_slots(volume), 8);
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_EQ(volcrypt({"check", "--domain", domain->name()}).exit_code, 0);
}

// Records as plain-dmcrypt and librbd-luks write them, over a native disk (this host has
// no dm-crypt, and no Ceph here): rekey reads only the record, and refuses from it.
TEST_F(Rekey, PlainAndRbdAttachmentsAreRefusedSayingWhy) {
  auto domain = running_domain("rekey-refused");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ASSERT_EQ(volcrypt(attach_args(domain->name(), volume, volume_id, passphrase_file)).exit_code, 0);
  const std::string record = *volcrypt_metadata(connection->get(), domain->name(), false);

  const std::string plain_data = path("plain.img");
  test_volumes::write_file(plain_data, std::string(1 << 20, '\x5a'));
  set_record(connection->get(), domain->name(),
             replaced(replaced(record, "qemu-native-luks", "plain-dmcrypt"), volume, plain_data));
  ProcessResult r = rekey(attached_form(domain->name()));
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_EQ(r.err, "volcrypt: error: volume " + volume_id +
                       " of target sdb cannot be re-keyed: it has no LUKS header, so no key "
                       "slots\n");

  set_record(connection->get(), domain->name(),
             replaced(replaced(record, "qemu-native-luks", "librbd-luks"), volume,
                      "rbd:volumes/" + volume_id));
  r = rekey(attached_form(domain->name()));
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_EQ(r.err, "volcrypt: error: volume " + volume_id + " (rbd:volumes/" + volume_id +
                       ") cannot be re-keyed here: its LUKS header is inside the network "
                       "volume, and there is no host device to hand libcryptsetup\n");
  EXPECT_EQ(active_slots(volume), 1);
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, passphrase));
  set_record(connection->get(), domain->name(), record);
}

TEST_F(Rekey, AVolumeAttachedNowhereIsReKeyedByItsDescription) {
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  const std::vector<std::string> described = {"--source", volume,       "--volume-id",
                                              volume_id,  "--provider", "luks"};
  auto args = described;
  args.insert(args.end(),
              {"--passphrase-file", passphrase_file, "--new-passphrase-file", new_passphrase_file});
  ProcessResult r = rekey(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "rekeyed volume " + volume_id +
                       ": the new passphrase opens key slot 1; removed key slot 0\n");
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());

  // Attached, it is re-keyed only through its attachment.
  auto domain = running_domain("rekey-elsewhere");
  r = volcrypt(attach_args(domain->name(), volume, volume_id, new_passphrase_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));
  args = described;
  args.insert(args.end(),
              {"--passphrase-file", new_passphrase_file, "--new-passphrase-file", passphrase_file});
  r = rekey(args);
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.err, "volcrypt: error: volume " + volume_id + " is attached to domain '" +
                       domain->name() + "' disk sdb (running): rekey it with --domain '" +
                       domain->name() + "' --target sdb\n");
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
}

// Killed before the secret takes the new passphrase, recover keeps every key slot and says
// so; killed while the old slots go, it finishes. Either way the secret opens the volume.
TEST_F(Rekey, RecoverKeepsBothPassphrasesUntilTheSecretWasSetThenFinishes) {
  auto domain = running_domain("rekey-killed");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ASSERT_EQ(volcrypt(attach_args(domain->name(), volume, volume_id, passphrase_file)).exit_code, 0);
  std::vector<std::string> argv = {VOLCRYPT_BINARY, "rekey"};
  const auto form = attached_form(domain->name());
  argv.insert(argv.end(), form.begin(), form.end());

  TracedRun run = run_traced_around(argv, kSetSecretValue);
  ASSERT_TRUE(run.killed);
  ProcessResult r = volcrypt({"recover", "--domain", domain->name(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"action\":\"kept every key slot\""));
  EXPECT_THAT(r.out, HasSubstr("rekey of volume " + volume_id +
                               " interrupted: the old passphrase still opens it; run rekey "
                               "again"));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_EQ(active_slots(volume), 2);
  EXPECT_EQ(volcrypt({"check", "--domain", domain->name()}).exit_code, 0);

  // Run again, it removes the slot the old passphrase opens; the killed run's slot stays,
  // opening with the new passphrase too.
  r = rekey(attached_form(domain->name()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, kMiB), HasSubstr(kReadOk));

  // Back to the first passphrase, killed as the old slots go (the secret is set by then).
  std::vector<std::string> back = {VOLCRYPT_BINARY,
                                   "rekey",
                                   "--domain",
                                   domain->name(),
                                   "--target",
                                   "sdb",
                                   "--passphrase-file",
                                   new_passphrase_file,
                                   "--new-passphrase-file",
                                   passphrase_file};
  run = run_traced_around(back, kSetSecretValue, 2);
  ASSERT_TRUE(run.killed);
  r = volcrypt({"recover", "--domain", domain->name(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"action\":\"finished rekey\""));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume, passphrase));
  EXPECT_FALSE(test_volumes::luks_passphrase_opens(volume, new_passphrase));
  EXPECT_EQ(volcrypt({"check", "--domain", domain->name()}).exit_code, 0);
}

TEST_F(Rekey, SendsOneAuditLineNamingTheAttachmentAndNoKey) {
  auto domain = running_domain("rekey-audit");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ASSERT_EQ(volcrypt(attach_args(domain->name(), volume, volume_id, passphrase_file)).exit_code, 0);
  SyslogListener syslog_socket(path("log"));
  launcher = syslog_socket.launcher();
  const ProcessResult r = rekey(attached_form(domain->name()));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::vector<std::string> lines = syslog_socket.drain();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::StartsWith(authpriv_notice_prefix()));
  EXPECT_THAT(lines[0],
              HasSubstr(": rekey uid=" + std::to_string(::getuid()) + " domain=" + domain->name() +
                        " target=sdb volume=" + volume_id + " plugin=qemu-native-luks outcome=ok"));
  expect_no_secret_in(lines[0], "the audit line");
  EXPECT_EQ(lines[0].find(new_passphrase), std::string::npos);
}

TEST_F(Rekey, BothKeysFromStandardInputIsAUsageError) {
  const ProcessResult r = rekey({"--domain", "vm", "--target", "sdb", "--passphrase-file", "-",
                                 "--new-passphrase-file", "-"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "volcrypt: error: the current and the new key cannot both come from standard "
            "input ('-')\n");
}

}  // namespace
}  // namespace volcrypt::test

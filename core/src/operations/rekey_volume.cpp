#include "operations/rekey_volume.hpp"

#include <volcrypt/error.hpp>

#include "domain/domain_lock.hpp"
#include "domain/record_store.hpp"
#include "operations/held_domain.hpp"
#include "operations/host_usage.hpp"
#include "operations/intent_journal.hpp"
#include "operations/luks_key_slots.hpp"
#include "operations/rekey_intent.hpp"

// Why rewriting the header under a running QEMU is safe (QEMU 7.2): block/crypto.c reads
// the LUKS header once, as it opens the image (qcrypto_block_open through its read
// function), and from then on decrypts with the volume key it keeps, which a key slot
// change leaves as it is; its reads and writes start at the payload offset, past the key
// slots, and only an amend (qemu-img amend, blockdev-amend) writes the header. The image
// locks of file-posix.c are advisory OFD locks on bytes 100+ and 200+ that say which
// permissions QEMU holds and shares: they stop another opener that asks (another QEMU,
// qemu-img), never a write, and libcryptsetup neither asks nor needs them. A dm-crypt
// mapping holds the volume key in its table and never reads the header again either.

namespace volcrypt {
namespace {

constexpr const char* kSecretUuidKey = "secret-uuid";

std::span<const uint8_t> bytes(const VolumeKey& key) { return key.passphrase().bytes(); }

// Refusals that need neither the volume nor a lock.
void check_keys(const VolumeKey& key, const VolumeKey& new_key) {
  if (key.empty()) throw Error(ErrorKind::usage, "missing --key-file or --passphrase-file");
  if (new_key.empty()) {
    throw Error(ErrorKind::usage, "missing --new-key-file or --new-passphrase-file");
  }
  const auto a = bytes(key);
  const auto b = bytes(new_key);
  if (std::equal(a.begin(), a.end(), b.begin(), b.end())) {
    throw Error(ErrorKind::usage, "the new passphrase is the current one");
  }
}

void refuse_network(const std::string& source_path, const std::string& volume_id) {
  if (!parse_network_source(source_path)) return;
  throw Error(ErrorKind::no_plugin,
              "volume " + volume_id + " (" + source_path +
                  ") cannot be re-keyed here: its LUKS header is inside the network volume, "
                  "and there is no host device to hand libcryptsetup");
}

// Whether the recorded plugin says its attachments may be re-keyed (ABI 1.5); the why
// not for exit 6: a volume with no LUKS header has no key slots (plain dm-crypt).
void require_rekey_capability(EngineContext& context, const Record& record) {
  const LoadedPlugin& plugin =
      context.require_plugin(record.plugin_id, "recorded for target " + record.target);
  if (plugin.abi_minor() >= 5 && (plugin.capabilities() & VOLCRYPT_CAPABILITY_REKEY) != 0) return;
  std::string why = "plugin '" + record.plugin_id +
                    "' does not declare that its attachments can be re-keyed "
                    "(VOLCRYPT_CAPABILITY_REKEY, ABI 1.5)";
  try {
    LuksKeySlots probe(record.source_path, record.source_path);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::refused_data) why = "it has no LUKS header, so no key slots";
  }
  throw Error(ErrorKind::no_plugin, "volume " + record.volume_id + " of target " + record.target +
                                        " cannot be re-keyed: " + why);
}

// The journal of an attached rekey, kept up to date at each step; none for a volume
// attached nowhere (there is no secret to leave out of step with the slots).
struct Journal {
  RekeyIntent* intent = nullptr;
  void write() {
    if (intent) write_intent(*intent);
  }
};

// Steps 1 to 5 on the header at result.source_path; the secret, if named, gets the new
// passphrase between the new slot's check and the old slots' removal.
void change_key_slots(LibvirtSession* session, const std::string& secret_uuid, const VolumeKey& key,
                      const VolumeKey& new_key, Journal journal, RekeyResult& result) {
  LuksKeySlots slots(result.source_path, result.source_path);
  result.removed_slots = slots.opened_by(bytes(key));
  if (result.removed_slots.empty()) {
    throw Error(ErrorKind::wrong_key,
                "the passphrase is wrong for volume " + result.volume_id + " (no key slot opens)");
  }
  if (journal.intent) journal.intent->old_slots = result.removed_slots;
  journal.write();
  result.new_slot = slots.add(bytes(key), bytes(new_key));
  if (journal.intent) journal.intent->new_slot = result.new_slot;
  journal.write();
  try {
    if (!slots.opens(result.new_slot, bytes(new_key))) {
      throw Error(ErrorKind::internal, "the new key slot " + std::to_string(result.new_slot) +
                                           " of volume " + result.volume_id +
                                           " does not open with the new passphrase");
    }
    if (session && !secret_uuid.empty()) session->set_secret_value(secret_uuid, bytes(new_key));
  } catch (...) {
    // Nothing else changed: the secret still holds the old passphrase.
    slots.destroy(result.new_slot);
    throw;
  }
  result.secret_uuid = secret_uuid;
  if (journal.intent) journal.intent->secret_set = true;
  journal.write();
  for (int slot : result.removed_slots) slots.destroy(slot);
}

RekeyResult rekey_attached(EngineContext& context, const RekeyRequest& request,
                           const VolumeKey& key, const VolumeKey& new_key) {
  LibvirtSession& session = context.libvirt();
  HeldDomain domain(context, request.domain);
  const bool inactive = !session.domain_active(request.domain);
  RecordStore records(session, request.domain);
  const std::optional<Record> record = records.find(request.target, inactive);
  if (!record) {
    throw Error(ErrorKind::not_found, "domain '" + request.domain +
                                          "' has no volume volcrypt attached at target '" +
                                          request.target + "'");
  }
  refuse_network(record->source_path, record->volume_id);
  require_rekey_capability(context, *record);
  VolumeLock volume_lock(record->volume_id);

  std::string secret_uuid;
  if (auto named = record->state.find(kSecretUuidKey); named != record->state.end()) {
    secret_uuid = named->second;
    if (!session.secret_info(secret_uuid)) {
      throw Error(ErrorKind::not_found,
                  "the libvirt secret " + secret_uuid + " of target " + request.target +
                      " is missing (volcrypt start or prepare defines it again): nothing changed");
    }
    // QEMU takes a LUKS passphrase from a secret only as UTF-8 text.
    if (!new_key.facts().utf8) {
      throw Error(ErrorKind::usage,
                  "the new passphrase is not valid UTF-8 text, which QEMU refuses in a secret");
    }
  }

  RekeyResult result;
  result.domain = request.domain;
  result.target = request.target;
  result.volume_id = record->volume_id;
  result.source_path = record->source_path;
  result.plugin_id = record->plugin_id;
  RekeyIntent intent;
  intent.header = intent_header(request.domain, domain.uuid(), request.target);
  intent.record = *record;
  IntentCleanup cleanup(intent.header);
  change_key_slots(&session, secret_uuid, key, new_key, Journal{&intent}, result);
  return result;
}

RekeyResult rekey_unattached(EngineContext& context, const RekeyRequest& request,
                             const VolumeKey& key, const VolumeKey& new_key) {
  const VolumeSpec& volume = request.volume;
  refuse_network(volume.network ? network_source_name(*volume.network) : volume.source_path,
                 volume.volume_id);
  VolumeLock volume_lock(volume.volume_id);
  // A volume in use is re-keyed through its attachment, whose secret must follow.
  const HostUsage usage = HostUsage::scan(context.libvirt());
  const std::vector<DiskUse> disks = usage.volume_disks(volume.volume_id, volume.source_path);
  if (!disks.empty()) {
    const DiskUse& use = disks.front();
    throw Error(ErrorKind::busy, "volume " + volume.volume_id + " is attached to " +
                                     describe_use(use.domain, use.disk.target, use.inactive) +
                                     ": rekey it with --domain '" + use.domain + "' --target " +
                                     use.disk.target);
  }
  for (const RecordUse& use : usage.records()) {
    if (use.record.volume_id != volume.volume_id) continue;
    throw Error(ErrorKind::busy, "volume " + volume.volume_id + " is recorded in " +
                                     describe_use(use.domain, use.record.target, use.inactive) +
                                     ": rekey it with --domain '" + use.domain + "' --target " +
                                     use.record.target);
  }
  RekeyResult result;
  result.volume_id = volume.volume_id;
  result.source_path = volume.source_path;
  change_key_slots(nullptr, {}, key, new_key, Journal{}, result);
  return result;
}

}  // namespace

RekeyResult rekey_volume(EngineContext& context, const RekeyRequest& request, const VolumeKey& key,
                         const VolumeKey& new_key) {
  check_keys(key, new_key);
  if (request.domain.empty()) return rekey_unattached(context, request, key, new_key);
  return rekey_attached(context, request, key, new_key);
}

}  // namespace volcrypt

#include "operations/luks_key_slots.hpp"

#include <cerrno>
#include <cstring>
#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

std::string reason(int rc) { return std::strerror(rc < 0 ? -rc : rc); }

const char* chars(std::span<const uint8_t> bytes) {
  return reinterpret_cast<const char*>(bytes.data());
}

// libcryptsetup's own messages would reach standard error; volcrypt's errors say it all.
void quiet(int, const char*, void*) {}

// A new slot costs what a slot of a volume volcrypt formats costs (dm-common's
// luks_format.cpp): PBKDF2 at a fixed count for LUKS1, Argon2id at 4 passes over 64 MiB
// for LUKS2. libcryptsetup's default benchmarks the CPU (slow and erratic on a busy
// host) and may take 1 GiB for Argon2. LUKS1 keeps the header's hash for every slot.
int set_new_slot_cost(crypt_device* device) {
  const crypt_pbkdf_type* current = crypt_get_pbkdf_type(device);
  crypt_pbkdf_type cost{};
  cost.hash = current && current->hash ? current->hash : "sha256";
  cost.flags = CRYPT_PBKDF_NO_BENCHMARK;
  if (std::strcmp(crypt_get_type(device), CRYPT_LUKS1) == 0) {
    cost.type = CRYPT_KDF_PBKDF2;
    cost.iterations = 600000;
  } else {
    cost.type = CRYPT_KDF_ARGON2ID;
    cost.iterations = 4;
    cost.max_memory_kb = 64 * 1024;
    cost.parallel_threads = 1;
  }
  return crypt_set_pbkdf_type(device, &cost);
}

}  // namespace

LuksKeySlots::LuksKeySlots(const std::string& header_path, std::string volume_name)
    : volume_name_(std::move(volume_name)) {
  crypt_device* raw = nullptr;
  if (int rc = crypt_init(&raw, header_path.c_str()); rc < 0) {
    throw Error(ErrorKind::not_found,
                "cannot open volume '" + volume_name_ + "' to change its key slots: " + reason(rc));
  }
  device_.reset(raw);
  crypt_set_log_callback(raw, quiet, nullptr);
  const int rc = crypt_load(raw, CRYPT_LUKS, nullptr);
  if (rc == -EINVAL) {
    throw Error(ErrorKind::refused_data,
                "volume '" + volume_name_ + "' has no LUKS header, so no key slots");
  }
  if (rc < 0) {
    throw Error(ErrorKind::plugin_failed,
                "cannot read the LUKS header of volume '" + volume_name_ + "': " + reason(rc));
  }
  // Only the key slots are tried: nothing goes into the kernel keyring either.
  crypt_volume_key_keyring(raw, 0);
}

bool LuksKeySlots::active(int slot) {
  const crypt_keyslot_info info = crypt_keyslot_status(device_.get(), slot);
  return info == CRYPT_SLOT_ACTIVE || info == CRYPT_SLOT_ACTIVE_LAST;
}

bool LuksKeySlots::opens(int slot, std::span<const uint8_t> passphrase) {
  // A null name checks the slot only: nothing is mapped.
  const int rc = crypt_activate_by_passphrase(device_.get(), nullptr, slot, chars(passphrase),
                                              passphrase.size(), 0);
  if (rc >= 0) return true;
  if (rc == -EPERM || rc == -ENOENT) return false;
  throw Error(ErrorKind::plugin_failed,
              "cannot check a passphrase for volume '" + volume_name_ + "': " + reason(rc));
}

std::vector<int> LuksKeySlots::opened_by(std::span<const uint8_t> passphrase) {
  std::vector<int> slots;
  const int count = crypt_keyslot_max(crypt_get_type(device_.get()));
  for (int slot = 0; slot < count; ++slot) {
    if (active(slot) && opens(slot, passphrase)) slots.push_back(slot);
  }
  return slots;
}

void LuksKeySlots::require_free_slot() {
  const int count = crypt_keyslot_max(crypt_get_type(device_.get()));
  for (int slot = 0; slot < count; ++slot) {
    if (crypt_keyslot_status(device_.get(), slot) == CRYPT_SLOT_INACTIVE) return;
  }
  throw Error(ErrorKind::busy, "volume '" + volume_name_ + "' has no free key slot (all " +
                                   std::to_string(count) +
                                   " are in use): remove one it no longer needs first");
}

int LuksKeySlots::add(std::span<const uint8_t> current, std::span<const uint8_t> new_passphrase) {
  require_free_slot();
  if (int rc = set_new_slot_cost(device_.get()); rc < 0) {
    throw Error(ErrorKind::plugin_failed,
                "cannot set the key derivation for volume '" + volume_name_ + "': " + reason(rc));
  }
  const int slot =
      crypt_keyslot_add_by_passphrase(device_.get(), CRYPT_ANY_SLOT, chars(current), current.size(),
                                      chars(new_passphrase), new_passphrase.size());
  if (slot == -ENOSPC) {
    // LUKS2: the slot numbers are free but the header's key slot area is full.
    throw Error(ErrorKind::busy, "volume '" + volume_name_ +
                                     "' has no room for another key slot in its header: "
                                     "remove one it no longer needs first");
  }
  if (slot < 0) {
    throw Error(ErrorKind::plugin_failed,
                "cannot add a key slot to volume '" + volume_name_ + "': " + reason(slot));
  }
  return slot;
}

void LuksKeySlots::destroy(int slot) {
  if (!active(slot)) return;
  if (int rc = crypt_keyslot_destroy(device_.get(), slot); rc < 0) {
    throw Error(ErrorKind::plugin_failed, "cannot remove key slot " + std::to_string(slot) +
                                              " of volume '" + volume_name_ + "': " + reason(rc));
  }
}

}  // namespace volcrypt

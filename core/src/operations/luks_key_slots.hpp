// The key slots of a LUKS1 or LUKS2 header, changed in place with libcryptsetup for
// `volcrypt rekey`: which slots a passphrase opens, a new slot, a slot destroyed. Nothing
// is activated, so no device-mapper is needed.
#pragma once

#include <libcryptsetup.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace volcrypt {

class LuksKeySlots {
 public:
  // header_path: the volume (file or block device) with the header at its start;
  // volume_name names it in errors. Throws Error(not_found) when it cannot be opened,
  // Error(refused_data) when it holds no LUKS header (plain dm-crypt, other data).
  LuksKeySlots(const std::string& header_path, std::string volume_name);

  // Every active slot the passphrase opens (each tried alone); empty: none does.
  std::vector<int> opened_by(std::span<const uint8_t> passphrase);
  bool opens(int slot, std::span<const uint8_t> passphrase);
  bool active(int slot);
  // Adds new_passphrase in a free slot, unlocking the volume key with current; returns
  // the slot. Throws Error(busy) naming the volume when every slot is in use.
  int add(std::span<const uint8_t> current, std::span<const uint8_t> new_passphrase);
  // A slot already inactive is fine.
  void destroy(int slot);

 private:
  struct Free {
    void operator()(crypt_device* device) const { crypt_free(device); }
  };
  void require_free_slot();
  std::string volume_name_;
  std::unique_ptr<crypt_device, Free> device_;
};

}  // namespace volcrypt

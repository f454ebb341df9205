#include "caller_key.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <volcrypt/error.hpp>
#include <volcrypt/secure_bytes.hpp>

namespace volcrypt::capi {

VolumeKey caller_key(const volcrypt_key_input* key) {
  if (key == nullptr) return {};
  if (key->struct_size < offsetof(volcrypt_key_input, fd) + sizeof(key->fd)) {
    throw Error(ErrorKind::usage, "the call's key is a struct of " +
                                      std::to_string(key->struct_size) +
                                      " bytes; set struct_size to sizeof(volcrypt_key_input)");
  }
  if (key->kind == VOLCRYPT_KEY_INPUT_NONE) return {};
  if (key->kind != VOLCRYPT_KEY_INPUT_RAW && key->kind != VOLCRYPT_KEY_INPUT_PASSPHRASE) {
    throw Error(ErrorKind::usage,
                "the call's key has kind " + std::to_string(key->kind) +
                    ": neither VOLCRYPT_KEY_INPUT_RAW nor VOLCRYPT_KEY_INPUT_PASSPHRASE");
  }
  SecureBytes bytes =
      key->bytes != nullptr
          ? copy_key_bytes(std::span(static_cast<const uint8_t*>(key->bytes), key->size),
                           "the call's key")
          : read_key_from_descriptor(key->fd,
                                     "the call's key descriptor " + std::to_string(key->fd));
  return key->kind == VOLCRYPT_KEY_INPUT_RAW ? VolumeKey::from_raw_key(std::move(bytes))
                                             : VolumeKey::from_passphrase(std::move(bytes));
}

}  // namespace volcrypt::capi

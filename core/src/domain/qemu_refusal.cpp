#include "domain/qemu_refusal.hpp"

namespace volcrypt {

bool is_wrong_passphrase_refusal(std::string_view message) {
  // QEMU's block/crypto code: "Invalid password, cannot unlock any keyslot".
  return message.find("Invalid password") != std::string_view::npos ||
         message.find("cannot unlock any keyslot") != std::string_view::npos;
}

}  // namespace volcrypt

#include "operations/volume_format.hpp"

#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

#include "network/rbd_format.hpp"
#include "operations/network_access.hpp"

namespace volcrypt {
namespace {

// librbd writes aes-xts-plain64 only, with AES-128 or AES-256 keys (256 or 512 bits).
RbdLuksFormat rbd_format_for(const std::string& volume, const VolumeFormatRequest& request) {
  RbdLuksFormat out;
  if (request.format == "luks2") {
    out.luks2 = true;
  } else if (request.format != "luks") {
    throw Error(ErrorKind::usage, "format '" + printable_text(request.format) +
                                      "' is neither luks (LUKS1) nor luks2");
  }
  const bool xts = request.cipher.empty() || request.cipher == "aes-xts-plain64";
  const uint32_t bits = request.key_size_bits == 0 ? 512 : request.key_size_bits;
  if (!xts || (bits != 256 && bits != 512)) {
    throw Error(ErrorKind::usage,
                "librbd formats aes-xts-plain64 with a 256- or 512-bit key only; volume '" +
                    volume + "' asks for " +
                    (request.cipher.empty() ? std::string("aes-xts-plain64")
                                            : printable_text(request.cipher)) +
                    " with a " + std::to_string(bits) + "-bit key; it was left as it is");
  }
  out.key_bits = bits;
  return out;
}

}  // namespace

HostServices::VolumeFormat volume_format_for(EngineContext& context, const VolumeSpec& volume) {
  return
      [&context, volume](const VolumeFormatRequest& request, std::span<const uint8_t> passphrase) {
        if (!volume.network || volume.network->protocol != NetworkProtocol::rbd) {
          throw Error(ErrorKind::no_plugin,
                      "only RBD images are formatted by the host (with librbd's encryption "
                      "format); volume '" +
                          volume.source_path + "' is not one");
        }
        const RbdLuksFormat format = rbd_format_for(volume.source_path, request);
        context.log(VOLCRYPT_LOG_INFO, "formatting blank RBD image " + volume.source_path + " as " +
                                           (format.luks2 ? "LUKS2" : "LUKS1") +
                                           " with librbd (aes-xts-plain64, " +
                                           std::to_string(format.key_bits) + "-bit key)");
        format_blank_rbd_image(*volume.network, network_credentials(context, *volume.network),
                               format, passphrase);
      };
}

}  // namespace volcrypt

// A Ceph RBD image read through librbd's C API, opened read-only.
#include <string>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"
#include "network/rbd_image.hpp"

namespace volcrypt {
namespace {

class RbdVolume final : public NetworkVolume {
 public:
  RbdVolume(std::string name, std::unique_ptr<OpenRbdImage> image)
      : NetworkVolume(std::move(name), image->size()), image_(std::move(image)) {}

 private:
  void read_within(uint64_t offset, std::span<uint8_t> into) override {
    size_t done = 0;
    while (done < into.size()) {
      const ssize_t got = rbd_read2(image_->get(), offset + done, into.size() - done,
                                    reinterpret_cast<char*>(into.data() + done), 0);
      if (got <= 0) {
        throw Error(
            ErrorKind::not_found,
            name() + ": reading " + std::to_string(into.size()) + " bytes at offset " +
                std::to_string(offset) + " failed: " +
                (got == 0 ? "the image ended early" : rbd_error_text(static_cast<int>(got))));
      }
      done += static_cast<size_t>(got);
    }
  }

  std::unique_ptr<OpenRbdImage> image_;
};

}  // namespace

std::unique_ptr<NetworkVolume> open_rbd_volume(const NetworkSource& source,
                                               const NetworkCredentials& credentials) {
  return std::make_unique<RbdVolume>(network_source_name(source),
                                     open_rbd_image(source, credentials, RbdAccess::read_only));
}

}  // namespace volcrypt

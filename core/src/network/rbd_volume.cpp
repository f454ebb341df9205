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
    read_rbd_image(*image_, name(), offset, into);
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

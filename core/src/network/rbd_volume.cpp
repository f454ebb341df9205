// A Ceph RBD image read through librados and librbd's C API, opened read-only.
#include <rbd/librbd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"
#include "network/rbd_pool.hpp"

namespace volcrypt {
namespace {

std::string error_text(int negative_errno) { return std::strerror(-negative_errno); }

class RbdVolume final : public NetworkVolume {
 public:
  RbdVolume(std::string name, uint64_t size, std::unique_ptr<RbdPool> pool, rbd_image_t image)
      : NetworkVolume(std::move(name), size), pool_(std::move(pool)), image_(image) {}
  ~RbdVolume() override { rbd_close(image_); }
  RbdVolume(const RbdVolume&) = delete;
  RbdVolume& operator=(const RbdVolume&) = delete;

 private:
  void read_within(uint64_t offset, std::span<uint8_t> into) override {
    size_t done = 0;
    while (done < into.size()) {
      const ssize_t got = rbd_read2(image_, offset + done, into.size() - done,
                                    reinterpret_cast<char*>(into.data() + done), 0);
      if (got <= 0) {
        throw Error(ErrorKind::not_found,
                    name() + ": reading " + std::to_string(into.size()) + " bytes at offset " +
                        std::to_string(offset) + " failed: " +
                        (got == 0 ? "the image ended early" : error_text(static_cast<int>(got))));
      }
      done += static_cast<size_t>(got);
    }
  }

  std::unique_ptr<RbdPool> pool_;  // closed after the image
  rbd_image_t image_;
};

}  // namespace

std::unique_ptr<NetworkVolume> open_rbd_volume(const NetworkSource& source,
                                               const NetworkCredentials& credentials) {
  const std::string image_name = rbd_pool_and_image(source).second;
  std::unique_ptr<RbdPool> pool = connect_rbd_pool(source, credentials);
  rbd_image_t image = nullptr;
  int r = rbd_open_read_only(pool->io(), image_name.c_str(), &image, nullptr);
  if (r == -ENOENT) throw_network_error(source, ErrorKind::not_found, "no such image");
  if (r < 0) {
    throw_network_error(source, ErrorKind::not_found, "cannot open the image: " + error_text(r));
  }
  uint64_t size = 0;
  r = rbd_get_size(image, &size);
  if (r < 0) {
    rbd_close(image);
    throw_network_error(source, ErrorKind::not_found,
                        "cannot read the image's size: " + error_text(r));
  }
  return std::make_unique<RbdVolume>(network_source_name(source), size, std::move(pool), image);
}

}  // namespace volcrypt

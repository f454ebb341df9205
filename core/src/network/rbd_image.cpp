// Opening an RBD image with librbd's C API in a pool connect_rbd_pool opened.
#include "network/rbd_image.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"

namespace volcrypt {

std::unique_ptr<OpenRbdImage> open_rbd_image(const NetworkSource& source,
                                             const NetworkCredentials& credentials,
                                             RbdAccess access) {
  const std::string image_name = rbd_pool_and_image(source).second;
  std::unique_ptr<RbdPool> pool = connect_rbd_pool(source, credentials);
  rbd_image_t image = nullptr;
  int r = access == RbdAccess::read_only
              ? rbd_open_read_only(pool->io(), image_name.c_str(), &image, nullptr)
              : rbd_open(pool->io(), image_name.c_str(), &image, nullptr);
  if (r == -ENOENT) throw_network_error(source, ErrorKind::not_found, "no such image");
  if (r < 0) {
    throw_network_error(source, ErrorKind::not_found,
                        "cannot open the image: " + rbd_error_text(r));
  }
  uint64_t size = 0;
  r = rbd_get_size(image, &size);
  if (r < 0) {
    rbd_close(image);
    throw_network_error(source, ErrorKind::not_found,
                        "cannot read the image's size: " + rbd_error_text(r));
  }
  return std::make_unique<OpenRbdImage>(std::move(pool), image, size);
}

void read_rbd_image(const OpenRbdImage& image, const std::string& name, uint64_t offset,
                    std::span<uint8_t> into) {
  size_t done = 0;
  while (done < into.size()) {
    const ssize_t got = rbd_read2(image.get(), offset + done, into.size() - done,
                                  reinterpret_cast<char*>(into.data() + done), 0);
    if (got <= 0) {
      throw Error(ErrorKind::not_found,
                  name + ": reading " + std::to_string(into.size()) + " bytes at offset " +
                      std::to_string(offset) + " failed: " +
                      (got == 0 ? "the image ended early" : rbd_error_text(static_cast<int>(got))));
    }
    done += static_cast<size_t>(got);
  }
}

}  // namespace volcrypt

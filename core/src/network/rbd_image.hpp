// An open Ceph RBD image and the librados connection under it, authenticated as the
// source says (its monitors, user and the deployer's key): what reading a header and
// formatting a blank image both start from.
#pragma once

#include <rbd/librbd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <volcrypt/network_source.hpp>

#include "network/network_volume.hpp"
#include "network/rbd_pool.hpp"

namespace volcrypt {

class OpenRbdImage {
 public:
  OpenRbdImage(std::unique_ptr<RbdPool> pool, rbd_image_t image, uint64_t size)
      : pool_(std::move(pool)), image_(image), size_(size) {}
  ~OpenRbdImage() { rbd_close(image_); }
  OpenRbdImage(const OpenRbdImage&) = delete;
  OpenRbdImage& operator=(const OpenRbdImage&) = delete;

  rbd_image_t get() const { return image_; }
  // The image's size in bytes when it was opened.
  uint64_t size() const { return size_; }

 private:
  std::unique_ptr<RbdPool> pool_;  // closed after the image
  rbd_image_t image_;
  uint64_t size_;
};

enum class RbdAccess { read_only, read_write };

// Connects (connect_rbd_pool) and opens the image, each step bounded by
// kNetworkTimeoutSeconds. Throws Error as open_network_volume says.
std::unique_ptr<OpenRbdImage> open_rbd_image(const NetworkSource& source,
                                             const NetworkCredentials& credentials,
                                             RbdAccess access);

// Fills `into` with the image's bytes at offset; Error(not_found) naming the image (name)
// and what failed when a read fails or the image ends early.
void read_rbd_image(const OpenRbdImage& image, const std::string& name, uint64_t offset,
                    std::span<uint8_t> into);

}  // namespace volcrypt

// An open Ceph RBD image and the librados connection under it, authenticated as the
// source says (its monitors, user and the deployer's key): what reading a header and
// formatting a blank image both start from.
#pragma once

#include <rados/librados.h>
#include <rbd/librbd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <volcrypt/network_source.hpp>

#include "network/network_volume.hpp"

namespace volcrypt {

class OpenRbdImage {
 public:
  OpenRbdImage(rados_t cluster, rados_ioctx_t io, rbd_image_t image, uint64_t size)
      : cluster_(cluster), io_(io), image_(image), size_(size) {}
  ~OpenRbdImage();
  OpenRbdImage(const OpenRbdImage&) = delete;
  OpenRbdImage& operator=(const OpenRbdImage&) = delete;

  rbd_image_t get() const { return image_; }
  // The image's size in bytes when it was opened.
  uint64_t size() const { return size_; }

 private:
  rados_t cluster_;
  rados_ioctx_t io_;
  rbd_image_t image_;
  uint64_t size_;
};

enum class RbdAccess { read_only, read_write };

// Connects, authenticates and opens the image, each step bounded by kNetworkTimeoutSeconds.
// Throws Error as open_network_volume says.
std::unique_ptr<OpenRbdImage> open_rbd_image(const NetworkSource& source,
                                             const NetworkCredentials& credentials,
                                             RbdAccess access);

// Fills `into` with the image's bytes at offset; Error(not_found) naming the image (name)
// and what failed when a read fails or the image ends early.
void read_rbd_image(const OpenRbdImage& image, const std::string& name, uint64_t offset,
                    std::span<uint8_t> into);

// strerror of a librados/librbd result (a negative errno).
std::string rbd_error_text(int negative_errno);

}  // namespace volcrypt

// A librados client connected to a Ceph cluster with one pool open: the one way the core
// reaches RBD, for reading an image's header as for host-bench's scratch image.
#pragma once

#include <rados/librados.h>

#include <memory>
#include <string>
#include <utility>

#include "network/network_volume.hpp"

namespace volcrypt {

class RbdPool {
 public:
  RbdPool(rados_t cluster, rados_ioctx_t io, std::string pool)
      : cluster_(cluster), io_(io), pool_(std::move(pool)) {}
  ~RbdPool();
  RbdPool(const RbdPool&) = delete;
  RbdPool& operator=(const RbdPool&) = delete;

  rados_ioctx_t io() const { return io_; }
  const std::string& name() const { return pool_; }

 private:
  rados_t cluster_;
  rados_ioctx_t io_;
  std::string pool_;
};

// Connects as source says (its monitors, else the ceph.conf; its user and key) and opens
// the pool of its "POOL/IMAGE" name, each step bounded by kNetworkTimeoutSeconds. Throws
// Error naming the volume as open_network_volume does (no such pool: not_found).
std::unique_ptr<RbdPool> connect_rbd_pool(const NetworkSource& source,
                                          const NetworkCredentials& credentials);

// strerror of a librados/librbd result (a negative errno).
std::string rbd_error_text(int negative_errno);

// "POOL" and "IMAGE" of source.name; Error(usage) naming the volume when it is not
// written so.
std::pair<std::string, std::string> rbd_pool_and_image(const NetworkSource& source);

}  // namespace volcrypt

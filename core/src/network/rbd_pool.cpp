#include "network/rbd_pool.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"

namespace volcrypt {
namespace {

constexpr uint16_t kNoDefaultPort = 0;  // librados then tries msgr2 (3300) and v1 (6789)
constexpr uint16_t kMsgr2Port = 3300;

// A monitor as librados' mon_host takes it. With a port, the protocol is said: a bare
// "ADDR:PORT" on a port other than 6789 makes librados time out on a refused key
// instead of saying so (tried with Ceph 16.2). 3300 is msgr2's port, any other the
// v1 protocol's (Cinder's hosts/ports list v1 monitors).
std::string monitor_address(const NetworkHost& host) {
  const std::string address = host_and_port(host, kNoDefaultPort);
  if (host.port == 0) return address;
  return (host.port == kMsgr2Port ? "v2:" : "v1:") + address;
}

// What librados' `key` option takes: the key's base64, in locked memory (NUL-terminated).
SecureBytes base64_key(std::span<const uint8_t> key) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  SecureBytes text((key.size() + 2) / 3 * 4 + 1);
  char* out = reinterpret_cast<char*>(text.data());
  for (size_t i = 0; i < key.size(); i += 3) {
    const size_t left = key.size() - i;
    const uint32_t group = (uint32_t{key[i]} << 16) | (left > 1 ? uint32_t{key[i + 1]} << 8 : 0) |
                           (left > 2 ? uint32_t{key[i + 2]} : 0);
    *out++ = kAlphabet[(group >> 18) & 63];
    *out++ = kAlphabet[(group >> 12) & 63];
    *out++ = left > 1 ? kAlphabet[(group >> 6) & 63] : '=';
    *out++ = left > 2 ? kAlphabet[group & 63] : '=';
  }
  *out = '\0';
  return text;
}

// The cluster handle, shut down on every path out unless released.
class Cluster {
 public:
  explicit Cluster(rados_t handle) : handle_(handle) {}
  ~Cluster() {
    if (handle_ != nullptr) rados_shutdown(handle_);
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  rados_t get() const { return handle_; }
  rados_t release() { return std::exchange(handle_, nullptr); }

 private:
  rados_t handle_;
};

void set_option(const NetworkSource& source, rados_t cluster, const char* option,
                const char* value) {
  const int r = rados_conf_set(cluster, option, value);
  if (r < 0) {
    throw_network_error(
        source, ErrorKind::internal,
        std::string("librados refused its option ") + option + ": " + rbd_error_text(r));
  }
}

}  // namespace

RbdPool::~RbdPool() {
  rados_ioctx_destroy(io_);
  rados_shutdown(cluster_);
}

std::string rbd_error_text(int negative_errno) { return std::strerror(-negative_errno); }

std::pair<std::string, std::string> rbd_pool_and_image(const NetworkSource& source) {
  const auto slash = source.name.find('/');
  if (slash == std::string::npos) {
    throw_network_error(source, ErrorKind::usage, "the name is not POOL/IMAGE");
  }
  return {source.name.substr(0, slash), source.name.substr(slash + 1)};
}

std::unique_ptr<RbdPool> connect_rbd_pool(const NetworkSource& source,
                                          const NetworkCredentials& credentials) {
  const std::string pool = rbd_pool_and_image(source).first;
  const std::string user = source.auth_username.empty() ? "admin" : source.auth_username;

  rados_t handle = nullptr;
  const std::string entity = "client." + user;
  int r = rados_create2(&handle, source.cluster_name.c_str(), entity.c_str(), 0);
  if (r < 0) {
    throw_network_error(source, ErrorKind::internal,
                        "librados cannot start a client: " + rbd_error_text(r));
  }
  Cluster cluster(handle);

  std::string monitors;
  if (credentials.ceph_conf) {
    r = rados_conf_read_file(cluster.get(), credentials.ceph_conf->c_str());
    if (r < 0) {
      throw_network_error(source, ErrorKind::not_found,
                          "cannot read the Ceph configuration '" + *credentials.ceph_conf +
                              "': " + rbd_error_text(r));
    }
    monitors = "of " + *credentials.ceph_conf;
  }
  if (!source.hosts.empty()) {
    // Each monitor was validated before it got here; librados takes them as a list.
    std::string list;
    monitors.clear();
    for (const NetworkHost& host : source.hosts) {
      list += (list.empty() ? "" : ",") + monitor_address(host);
      monitors += (monitors.empty() ? "" : ",") + host_and_port(host, kNoDefaultPort);
    }
    set_option(source, cluster.get(), "mon_host", list.c_str());
  } else if (!credentials.ceph_conf) {
    throw_network_error(source, ErrorKind::usage,
                        "no Ceph monitors: the source names none and there is no ceph.conf");
  }
  // Never wait long for a monitor or an OSD, and never write logs or sockets of our own.
  const std::string timeout = std::to_string(kNetworkTimeoutSeconds);
  for (const char* option :
       {"client_mount_timeout", "rados_mon_op_timeout", "rados_osd_op_timeout"}) {
    set_option(source, cluster.get(), option, timeout.c_str());
  }
  set_option(source, cluster.get(), "log_to_stderr", "false");
  set_option(source, cluster.get(), "err_to_stderr", "false");
  set_option(source, cluster.get(), "log_file", "");
  set_option(source, cluster.get(), "admin_socket", "");
  if (source.auth_username.empty()) {
    set_option(source, cluster.get(), "auth_client_required", "none");
  } else if (!credentials.secret.empty()) {
    const SecureBytes key = base64_key(credentials.secret.bytes());
    set_option(source, cluster.get(), "key", reinterpret_cast<const char*>(key.data()));
  }

  r = rados_connect(cluster.get());
  if (r == -EACCES || r == -EPERM) {
    throw_network_error(source, ErrorKind::not_found,
                        "the Ceph monitors " + monitors + " refused the key of " + entity + ": " +
                            rbd_error_text(r));
  }
  if (r == -EINVAL) {
    // Before any monitor is asked: librados cannot use the key or the settings.
    throw_network_error(source, ErrorKind::usage,
                        "librados refused the settings or the key of " + entity +
                            " (a key that is not a Ceph key?): " + rbd_error_text(r));
  }
  // librados keeps asking monitors that refuse its key until client_mount_timeout,
  // so a wrong key times out like monitors that never answer.
  const std::string or_refused = source.auth_username.empty() || r != -ETIMEDOUT
                                     ? ""
                                     : ", or they refused the key of " + entity;
  if (r < 0) {
    throw_network_error(
        source, ErrorKind::not_found,
        "cannot reach the Ceph monitors " + monitors + or_refused + ": " + rbd_error_text(r));
  }

  rados_ioctx_t io = nullptr;
  r = rados_ioctx_create(cluster.get(), pool.c_str(), &io);
  if (r == -ENOENT) throw_network_error(source, ErrorKind::not_found, "no such pool");
  if (r < 0) {
    throw_network_error(source, ErrorKind::not_found, "cannot open the pool: " + rbd_error_text(r));
  }
  return std::make_unique<RbdPool>(cluster.release(), io, pool);
}

}  // namespace volcrypt

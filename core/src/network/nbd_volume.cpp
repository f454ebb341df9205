// An NBD export read through libnbd. Its connect and pread are driven through the
// asynchronous calls with a deadline, because the synchronous ones wait forever on a
// server that never answers.
#include <libnbd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"

namespace volcrypt {
namespace {

constexpr uint16_t kNbdPort = 10809;
// At most this much per request: servers refuse requests over 32 MiB.
constexpr size_t kMaxReadBytes = 4 * 1024 * 1024;

using Clock = std::chrono::steady_clock;

// The last failure on this thread: the system's words when it has an errno (libnbd's
// own text then repeats the call chain and address), else libnbd's.
std::string last_error() {
  if (nbd_get_errno() != 0) return std::strerror(nbd_get_errno());
  const char* text = nbd_get_error();
  return text != nullptr ? text : "unknown error";
}

class Handle {
 public:
  Handle() : handle_(nbd_create()) {}
  ~Handle() {
    if (handle_ != nullptr) nbd_close(handle_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  nbd_handle* get() const { return handle_; }

 private:
  nbd_handle* handle_;
};

// Runs the handle's state machine until done() says so, for at most the network
// timeout. An empty string when done, else why not.
std::string wait_until(nbd_handle* handle, const std::function<int()>& done) {
  const auto deadline = Clock::now() + std::chrono::seconds(kNetworkTimeoutSeconds);
  while (true) {
    const int state = done();
    if (state < 0) return last_error();
    if (state > 0) return {};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      return "no answer within " + std::to_string(kNetworkTimeoutSeconds) + " seconds";
    }
    if (nbd_poll(handle, static_cast<int>(left)) < 0) return last_error();
  }
}

class NbdVolume final : public NetworkVolume {
 public:
  NbdVolume(std::string name, uint64_t size, std::unique_ptr<Handle> handle)
      : NetworkVolume(std::move(name), size), handle_(std::move(handle)) {}

 private:
  void read_within(uint64_t offset, std::span<uint8_t> into) override {
    for (size_t done = 0; done < into.size();) {
      const size_t count = std::min(into.size() - done, kMaxReadBytes);
      std::string failure = "the connection was closed after an earlier failed read";
      if (handle_) {
        nbd_handle* h = handle_->get();
        const int64_t cookie =
            nbd_aio_pread(h, into.data() + done, count, offset + done, NBD_NULL_COMPLETION, 0);
        failure = cookie < 0 ? last_error()
                             : wait_until(h, [&] { return nbd_aio_command_completed(h, cookie); });
        // A read still in flight would write into `into` later: close the connection.
        if (!failure.empty()) handle_.reset();
      }
      if (!failure.empty()) {
        throw Error(ErrorKind::not_found, name() + ": reading " + std::to_string(into.size()) +
                                              " bytes at offset " + std::to_string(offset) +
                                              " failed: " + failure);
      }
      done += count;
    }
  }

  std::unique_ptr<Handle> handle_;
};

}  // namespace

std::unique_ptr<NetworkVolume> open_nbd_volume(const NetworkSource& source) {
  if (source.hosts.empty()) throw_network_error(source, ErrorKind::usage, "no server");
  const NetworkHost& host = source.hosts.front();
  const std::string server = host_and_port(host, kNbdPort);
  const std::string port = std::to_string(host.port != 0 ? host.port : kNbdPort);

  auto handle = std::make_unique<Handle>();
  nbd_handle* h = handle->get();
  if (h == nullptr) {
    throw_network_error(source, ErrorKind::internal,
                        "libnbd cannot make a handle: " + last_error());
  }
  if (nbd_set_export_name(h, source.name.c_str()) != 0) {
    throw_network_error(source, ErrorKind::usage,
                        "libnbd refused the export name: " + last_error());
  }
  std::string failure = nbd_aio_connect_tcp(h, host.name.c_str(), port.c_str()) != 0
                            ? last_error()
                            : wait_until(h, [h] { return nbd_aio_is_connecting(h) ? 0 : 1; });
  if (failure.empty() && !nbd_aio_is_ready(h)) failure = last_error();
  if (!failure.empty()) {
    // The server answers a missing export by refusing the option that names it.
    if (nbd_get_errno() == ENOENT) {
      throw_network_error(source, ErrorKind::not_found, "no such export on server " + server);
    }
    throw_network_error(source, ErrorKind::not_found,
                        "cannot reach the NBD server " + server + ": " + failure);
  }
  const int64_t size = nbd_get_size(h);
  if (size < 0) {
    throw_network_error(source, ErrorKind::not_found,
                        "cannot read the export's size: " + last_error());
  }
  return std::make_unique<NbdVolume>(network_source_name(source), static_cast<uint64_t>(size),
                                     std::move(handle));
}

}  // namespace volcrypt

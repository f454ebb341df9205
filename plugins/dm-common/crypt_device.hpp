// A libcryptsetup device handle whose messages go to the host log (debug level), never
// to stdout or stderr, and which remembers libcryptsetup's last error so that a failure
// can say what libcryptsetup objected to.
#pragma once

#include <libcryptsetup.h>

#include <string>
#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {

// While one lives on this thread, libcryptsetup's messages (with or without a device
// handle) go to its host. Create one around every series of libcryptsetup calls.
class CryptLog {
 public:
  explicit CryptLog(const sdk::Host& host);
  ~CryptLog();
  CryptLog(const CryptLog&) = delete;
  CryptLog& operator=(const CryptLog&) = delete;

  // Routes the messages of this handle here too.
  void attach(crypt_device* device);
  const std::string& last_error() const { return last_error_; }
  // Call before a libcryptsetup call whose failure reason() will explain.
  void forget_errors() { last_error_.clear(); }
  // libcryptsetup's own words when it logged an error, else the errno text of rc.
  std::string reason(int rc) const;
  const sdk::Host& host() const { return host_; }

 private:
  static void forward(int level, const char* message, void* unused);

  const sdk::Host& host_;
  CryptLog* previous_;
  std::string last_error_;
};

// Owns a crypt_device.
class CryptDevice {
 public:
  // crypt_init on a file or block device; throws sdk::Error naming path and purpose.
  static CryptDevice open(CryptLog& log, const std::string& path, const std::string& purpose);
  // crypt_init_by_name on an active mapping; returns rc < 0 instead of throwing.
  static int open_mapping(CryptLog& log, const std::string& name, CryptDevice& out);

  CryptDevice() = default;
  ~CryptDevice();
  CryptDevice(CryptDevice&& other) noexcept;
  CryptDevice& operator=(CryptDevice&& other) noexcept;
  CryptDevice(const CryptDevice&) = delete;
  CryptDevice& operator=(const CryptDevice&) = delete;

  crypt_device* get() const { return device_; }

 private:
  explicit CryptDevice(crypt_device* device) : device_(device) {}
  crypt_device* device_ = nullptr;
};

}  // namespace volcrypt::dm

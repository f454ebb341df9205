// A second libvirtd on this machine, the destination host of the migration tests: started
// by support/second-libvirtd in its own mount namespace on a free TCP port of 127.0.0.1,
// and stopped (its domains destroyed, its folders removed) when this object goes.
#pragma once

#include <memory>
#include <string>

#include "libvirt_checks.hpp"

namespace volcrypt::test {

class SecondLibvirtd {
 public:
  // Throws with the script's own words when the daemon does not come up.
  SecondLibvirtd();
  // With the script at another path (inside the guest VM, where the runner copies it).
  explicit SecondLibvirtd(const std::string& script);
  ~SecondLibvirtd();
  SecondLibvirtd(const SecondLibvirtd&) = delete;
  SecondLibvirtd& operator=(const SecondLibvirtd&) = delete;

  // e.g. qemu+tcp://127.0.0.1:40123/system
  const std::string& uri() const { return uri_; }
  virConnectPtr connection() const { return connection_->get(); }
  // Its /var/log/libvirt/qemu and /etc/libvirt/secrets, as seen from this namespace.
  std::string qemu_log_dir() const { return dir_ + "/log/qemu"; }
  std::string secret_dir() const { return dir_ + "/etc/secrets"; }

 private:
  std::string dir_;
  std::string script_;
  std::string uri_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace volcrypt::test

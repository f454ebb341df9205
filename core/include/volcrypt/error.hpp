// The one exception type the core throws. Its kind decides the program's exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace volcrypt {

enum class ErrorKind {
  usage = 2,          // bad command line or volume description
  not_found = 3,      // missing domain, disk, record, plugin or file
  wrong_key = 4,      // the passphrase does not open the volume
  refused_data = 5,   // the volume holds data that is not LUKS; left untouched
  no_plugin = 6,      // no plugin can serve the volume (all rank NONE or denied)
  busy = 7,           // the target is in use
  plugin_failed = 8,  // a plugin reported an error
  libvirt = 9,        // libvirt or QEMU refused
  internal = 10,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace volcrypt

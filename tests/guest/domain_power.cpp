#include "domain_power.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <stdexcept>

namespace volcrypt::guest {
namespace {

std::string libvirt_words() {
  const virError* error = virGetLastError();
  return error && error->message ? error->message : "unknown libvirt error";
}

}  // namespace

bool domain_runs(virConnectPtr connection, const std::string& domain) {
  virDomainPtr handle = virDomainLookupByName(connection, domain.c_str());
  if (handle == nullptr) return false;
  const bool active = virDomainIsActive(handle) == 1;
  virDomainFree(handle);
  return active;
}

void shut_off(virConnectPtr connection, const std::string& domain) {
  virDomainPtr handle = virDomainLookupByName(connection, domain.c_str());
  if (handle == nullptr) throw std::runtime_error("domain " + domain + ": " + libvirt_words());
  const bool failed = virDomainIsActive(handle) == 1 && virDomainDestroy(handle) != 0;
  const std::string words = failed ? libvirt_words() : "";
  virDomainFree(handle);
  if (failed) throw std::runtime_error("cannot shut off domain " + domain + ": " + words);
}

}  // namespace volcrypt::guest

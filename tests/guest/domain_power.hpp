// Whether a nested domain runs, and shutting it off as a host restart would: what the
// `volcrypt start` tests need between runs, asked of libvirt directly.
#pragma once

#include <string>

typedef struct _virConnect* virConnectPtr;

namespace volcrypt::guest {

bool domain_runs(virConnectPtr connection, const std::string& domain);

// Destroys the domain if it runs (a persistent one stays defined). Throws
// std::runtime_error with libvirt's words when it cannot.
void shut_off(virConnectPtr connection, const std::string& domain);

}  // namespace volcrypt::guest

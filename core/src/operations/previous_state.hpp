// A volume attached before (in any domain, running or defined) keeps the state its
// plugin resolved then. Plain dm-crypt needs exactly those parameters again, never a
// library default that may have changed since.
#pragma once

#include <map>
#include <string>

namespace volcrypt {

class LibvirtSession;

// The recorded state of volume_id under plugin_id, or an empty map.
std::map<std::string, std::string> previous_state_for(LibvirtSession& session,
                                                      const std::string& volume_id,
                                                      const std::string& plugin_id);

}  // namespace volcrypt

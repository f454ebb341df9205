#include "operations/previous_state.hpp"

#include <volcrypt/error.hpp>

#include "domain/libvirt_session.hpp"
#include "domain/record.hpp"

namespace volcrypt {

std::map<std::string, std::string> previous_state_for(LibvirtSession& session,
                                                      const std::string& volume_id,
                                                      const std::string& plugin_id) {
  for (const auto& domain : session.domain_names()) {
    try {
      for (bool inactive : {false, true}) {
        if (inactive ? !session.domain_persistent(domain) : !session.domain_active(domain)) {
          continue;
        }
        for (const auto& record : records_from_domain_xml(session.domain_xml(domain, inactive))) {
          if (record.volume_id == volume_id && record.plugin_id == plugin_id) return record.state;
        }
      }
    } catch (const Error&) {
      // A domain that vanished meanwhile, or another domain's unreadable record, says
      // nothing about this volume.
    }
  }
  return {};
}

}  // namespace volcrypt

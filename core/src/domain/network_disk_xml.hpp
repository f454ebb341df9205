// The <source protocol=...> of a network disk (Ceph RBD, iSCSI through QEMU's own
// initiator, NBD): written for attach, read back in every form libvirt and Nova write.
#pragma once

#include <volcrypt/network_source.hpp>

#include "domain/disk_xml.hpp"

namespace tinyxml2 {
class XMLElement;
}  // namespace tinyxml2

namespace volcrypt {

// Sets protocol and name on an empty <source> and adds its <host>s, the <config> of an
// rbd cluster other than "ceph" and <auth>. Throws Error(usage) for a user without its
// secret's uuid (or the reverse) and for authentication on NBD, which has none.
void fill_network_source(tinyxml2::XMLElement& source, const NetworkSource& network);

// Reads a <disk> whose <source> has a protocol into info (source_kind, source_path,
// network and the rest). Never throws: what it cannot read it names in source_path.
void read_network_disk(const tinyxml2::XMLElement& disk, const tinyxml2::XMLElement& source,
                       DiskInfo& info);

}  // namespace volcrypt

// A domain's persistent definition changed in one piece: the disks of several attaches
// and their records, so that libvirt rewrites the definition once (virDomainDefineXML)
// instead of twice per disk.
#pragma once

#include <string>
#include <vector>
#include <volcrypt/types.hpp>

namespace volcrypt {

// definition (a whole <domain>) with each <disk> element added to its <devices> and
// volcrypt's metadata element replaced by one holding records (none: removed).
// Throws Error(internal) when definition or a disk is not XML of that shape.
std::string definition_with_disks(const std::string& definition,
                                  const std::vector<std::string>& disks,
                                  const std::vector<Record>& records);

}  // namespace volcrypt

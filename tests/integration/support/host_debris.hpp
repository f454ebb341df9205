// What a killed run can leave behind that neither `volcrypt check` nor libvirt's view of
// the domain shows, looked at after `recover`: a temporary intent file (`*.intent.new`)
// or any intent of the domain, a /dev/mapper node whose device is gone, and a
// device-mapper device left suspended or without a table (a mapping killed between its
// create and its load, or between a suspend and its resume). The kernel is asked
// directly; on a host without device-mapper there are no devices, and any node in
// /dev/mapper but its control node is stale.
#pragma once

#include <string>
#include <vector>

namespace volcrypt::test {

// One line per piece of debris; empty when there is none. The intents looked at are
// those of this domain (its uuid in the file name, or its uuid or name in a temporary
// file): other tests run at the same time and may have theirs.
std::vector<std::string> debris_after_recover(const std::string& domain_uuid,
                                              const std::string& domain_name);

// The device-mapper part alone, host-wide.
std::vector<std::string> device_mapper_debris();

}  // namespace volcrypt::test

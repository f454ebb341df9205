// What prepare, release and start did for each recorded disk, as text or JSON.
#pragma once

#include <ostream>
#include <vector>
#include <volcrypt/types.hpp>

#include "json_output.hpp"

namespace volcrypt::cli {

// [{"target","volume_id","plugin","action","secret_uuid"}...]
Json outcomes_json(const std::vector<HostDeviceOutcome>& outcomes);
// One line per disk: "sdb: volume VOL (qemu-native-luks): defined secret UUID".
void write_outcome_lines(std::ostream& out, const std::vector<HostDeviceOutcome>& outcomes);

}  // namespace volcrypt::cli

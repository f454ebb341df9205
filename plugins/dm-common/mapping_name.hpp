// dm-crypt mapping names, as os-brick makes them, so that hosts that mix volcrypt and
// os-brick agree on /dev/mapper/NAME.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace volcrypt::dm {

// "crypt-" + the basename of the path as given (os-brick takes the basename of the
// device path it was handed, not of the link's target): /dev/loop3 -> crypt-loop3,
// /var/x/vol.img -> crypt-vol.img. Throws sdk::Error (INVALID) when the path has no
// basename or the name is longer than device-mapper allows.
std::string mapping_name_for(std::string_view source_path);

// The names a recorded mapping may be open under, the recorded one first: os-brick's
// older releases named the mapping by the bare basename, so "crypt-x" may be open as
// "x" and a record-less "x" (inferred from /dev/mapper/x) may be open as "crypt-x".
std::vector<std::string> mapping_names_to_close(std::string_view recorded);

}  // namespace volcrypt::dm

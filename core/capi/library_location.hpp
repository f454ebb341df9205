// Where libvolcrypt itself was loaded from: its plugins and plugin helper are sought
// beside it (a build tree puts them there) before the packaged folders.
#pragma once

#include "code_location.hpp"

namespace volcrypt::capi {

cli::CodeLocation library_location();

}  // namespace volcrypt::capi

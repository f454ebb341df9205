// A random (version 4) UUID, for objects whose name must be journaled before they exist.
#pragma once

#include <string>

namespace volcrypt {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from the kernel's random source.
std::string random_uuid();

}  // namespace volcrypt

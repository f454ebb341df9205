// Bytes from the kernel's random source, for names and passphrases nobody may guess.
#pragma once

#include <cstdint>
#include <span>

namespace volcrypt {

// Fills `into`; throws Error(internal) when the kernel gives none.
void fill_random(std::span<uint8_t> into);

}  // namespace volcrypt

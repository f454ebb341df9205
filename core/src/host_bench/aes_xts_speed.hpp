// The CPU's AES-XTS limit: how many bytes per second one thread of this CPU encrypts
// with AES-256-XTS (OpenSSL's EVP, AES-NI where the CPU has it), 4 KiB per data unit
// with a fresh tweak each, as a disk encryptor does. Bytes per CPU-second of the
// measuring thread, so a busy host measures what an idle one does.
#pragma once

#include <chrono>
#include <cstdint>

namespace volcrypt {

// Runs for about duration of CPU time; 0 when OpenSSL offers no AES-256-XTS.
uint64_t measure_aes_xts(std::chrono::milliseconds duration);

}  // namespace volcrypt

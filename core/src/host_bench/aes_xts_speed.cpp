#include "host_bench/aes_xts_speed.hpp"

#include <openssl/evp.h>
#include <time.h>

#include <array>
#include <memory>
#include <vector>

namespace volcrypt {
namespace {

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

uint64_t measure_aes_xts(std::chrono::milliseconds duration) {
  constexpr size_t kUnit = 4096;
  constexpr size_t kUnitsPerRound = 256;  // 1 MiB between clock reads
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context(EVP_CIPHER_CTX_new(),
                                                                          &EVP_CIPHER_CTX_free);
  // XTS refuses equal key halves; the key's value does not change the speed.
  std::array<unsigned char, 64> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
  if (!context ||
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_xts(), nullptr, key.data(), nullptr) != 1) {
    return 0;
  }
  std::vector<unsigned char> in(kUnit, 0xab), out(kUnit + 32);
  std::array<unsigned char, 16> tweak{};
  uint64_t bytes = 0;
  uint64_t sector = 0;
  const auto started = thread_cpu_time();
  std::chrono::nanoseconds elapsed{0};
  while (elapsed < duration) {
    for (size_t i = 0; i < kUnitsPerRound; ++i, ++sector) {
      for (size_t b = 0; b < 8; ++b) tweak[b] = static_cast<unsigned char>(sector >> (8 * b));
      int written = 0;
      if (EVP_EncryptInit_ex(context.get(), nullptr, nullptr, nullptr, tweak.data()) != 1 ||
          EVP_EncryptUpdate(context.get(), out.data(), &written, in.data(),
                            static_cast<int>(in.size())) != 1) {
        return 0;
      }
      bytes += static_cast<uint64_t>(written);
    }
    elapsed = thread_cpu_time() - started;
  }
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return static_cast<uint64_t>(static_cast<double>(bytes) / seconds);
}

}  // namespace volcrypt

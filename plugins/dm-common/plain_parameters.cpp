#include "plain_parameters.hpp"

#include <charconv>
#include <optional>
#include <string_view>

namespace volcrypt::dm {
namespace {

// Nothing longer than libcryptsetup's own limit for a volume key.
constexpr uint32_t kMaxKeyBits = 4096;

[[noreturn]] void malformed(std::string_view key, std::string_view value, std::string_view why) {
  throw sdk::Error(VOLCRYPT_ERROR_INVALID, "plain dm-crypt parameter " + std::string(key) + "='" +
                                               std::string(value) + "' " + std::string(why));
}

uint64_t parse_number(std::string_view key, std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    malformed(key, text, "is not a whole number");
  }
  return value;
}

void check(const PlainParameters& p) {
  const size_t dash = p.cipher.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == p.cipher.size()) {
    malformed("cipher", p.cipher, "needs a cipher and a mode, e.g. aes-cbc-essiv:sha256");
  }
  if (p.key_size_bits == 0 || p.key_size_bits % 8 != 0 || p.key_size_bits > kMaxKeyBits) {
    malformed("key-size", std::to_string(p.key_size_bits),
              "is not a key size in whole bytes (8 to " + std::to_string(kMaxKeyBits) + " bits)");
  }
  if (p.hash.empty()) malformed("hash", p.hash, "is empty");
  if (p.sector_size != 512 && p.sector_size != 1024 && p.sector_size != 2048 &&
      p.sector_size != 4096) {
    malformed("sector-size", std::to_string(p.sector_size), "is not 512, 1024, 2048 or 4096");
  }
}

}  // namespace

std::string PlainParameters::cipher_name() const { return cipher.substr(0, cipher.find('-')); }

std::string PlainParameters::cipher_mode() const {
  const size_t dash = cipher.find('-');
  return dash == std::string::npos ? std::string() : cipher.substr(dash + 1);
}

PlainParameters default_plain_parameters() {
  PlainParameters p;
  p.cipher = "aes-cbc-essiv:sha256";
  p.key_size_bits = 256;
  p.hash = "ripemd160";
  p.offset = 0;
  p.skip = 0;
  p.sector_size = 512;
  return p;
}

PlainParameters resolve_plain_parameters(const sdk::Volume& volume, const sdk::State& previous) {
  PlainParameters p = default_plain_parameters();
  if (!volume.cipher.empty()) p.cipher = std::string(volume.cipher);
  if (volume.key_size_bits != 0) p.key_size_bits = volume.key_size_bits;

  // The record wins: it holds what the volume's data was written with.
  if (auto v = previous.get("cipher")) p.cipher = std::string(*v);
  if (auto v = previous.get("key-size")) {
    uint64_t bits = parse_number("key-size", *v);
    if (bits > kMaxKeyBits)
      malformed("key-size", *v, "is more than " + std::to_string(kMaxKeyBits));
    p.key_size_bits = static_cast<uint32_t>(bits);
  }
  if (auto v = previous.get("hash")) p.hash = std::string(*v);
  if (auto v = previous.get("offset")) p.offset = parse_number("offset", *v);
  if (auto v = previous.get("skip")) p.skip = parse_number("skip", *v);
  if (auto v = previous.get("sector-size")) {
    uint64_t size = parse_number("sector-size", *v);
    if (size > 4096) malformed("sector-size", *v, "is not 512, 1024, 2048 or 4096");
    p.sector_size = static_cast<uint32_t>(size);
  }
  check(p);
  return p;
}

std::vector<std::pair<std::string, std::string>> plain_parameters_state(const PlainParameters& p) {
  return {{"cipher", p.cipher},
          {"key-size", std::to_string(p.key_size_bits)},
          {"hash", p.hash},
          {"offset", std::to_string(p.offset)},
          {"skip", std::to_string(p.skip)},
          {"sector-size", std::to_string(p.sector_size)}};
}

}  // namespace volcrypt::dm

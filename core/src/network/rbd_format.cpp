#include "network/rbd_format.hpp"

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin_contract.hpp>

#include "network/protocol_volumes.hpp"
#include "network/rbd_image.hpp"

namespace volcrypt {
namespace {

// librbd aligns its LUKS data offset to the image's stripe period (an object, 4 MiB, by
// default) and writes the header padded with zeros up to it: 4 MiB for LUKS1 and 16 MiB
// for LUKS2 on a default image. All of that must be blank, not only the first 4 MiB.
constexpr uint64_t kLuks2HeaderArea = 16ull << 20;
constexpr size_t kChunk = 1u << 20;

uint64_t header_area(const OpenRbdImage& image) {
  uint64_t unit = 0;
  uint64_t count = 0;
  uint64_t period = 0;
  if (rbd_get_stripe_unit(image.get(), &unit) == 0 &&
      rbd_get_stripe_count(image.get(), &count) == 0) {
    period = unit * std::max<uint64_t>(count, 1);
  }
  const uint64_t area = std::max<uint64_t>(kLuks2HeaderArea, contract::kBlankCheckBytes);
  if (period == 0) return area;
  return (area + period - 1) / period * period;
}

// The first byte of [0, bytes) that is not zero, or bytes when all are.
uint64_t first_data_byte(const OpenRbdImage& image, const std::string& name, uint64_t bytes) {
  std::vector<uint8_t> chunk(kChunk);
  for (uint64_t offset = 0; offset < bytes; offset += chunk.size()) {
    const auto want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), bytes - offset));
    const std::span<uint8_t> part(chunk.data(), want);
    read_rbd_image(image, name, offset, part);
    const auto found = std::find_if(part.begin(), part.end(), [](uint8_t b) { return b != 0; });
    if (found != part.end()) return offset + static_cast<uint64_t>(found - part.begin());
  }
  return bytes;
}

// Undoes a format that failed half-way: the area that was blank is zeroed again. Never
// throws (another error is on its way out); says so when it could not.
std::string restore_blank(const OpenRbdImage& image, uint64_t bytes) {
  const std::vector<char> zeros(kChunk, 0);
  for (uint64_t offset = 0; offset < bytes; offset += zeros.size()) {
    const auto want = static_cast<size_t>(std::min<uint64_t>(zeros.size(), bytes - offset));
    if (rbd_write2(image.get(), offset, want, zeros.data(), 0) != static_cast<ssize_t>(want)) {
      return "; its first " + std::to_string(bytes) + " bytes could not be zeroed again";
    }
  }
  return rbd_flush(image.get()) == 0 ? "; it was left blank as before"
                                     : "; zeroing it again could not be flushed";
}

}  // namespace

void format_blank_rbd_image(const NetworkSource& source, const NetworkCredentials& credentials,
                            const RbdLuksFormat& format, std::span<const uint8_t> passphrase) {
  const std::string name = network_source_name(source);
  const auto image = open_rbd_image(source, credentials, RbdAccess::read_write);
  // The host read the header before the plugin ran; someone may have written since.
  const uint64_t area = std::min(header_area(*image), image->size());
  if (const uint64_t data = first_data_byte(*image, name, area); data < area) {
    throw Error(ErrorKind::refused_data, name + " is not blank (it holds data at byte " +
                                             std::to_string(data) +
                                             ", where librbd's LUKS header would go); "
                                             "refusing to format it");
  }
  const auto algorithm =
      format.key_bits == 256 ? RBD_ENCRYPTION_ALGORITHM_AES128 : RBD_ENCRYPTION_ALGORITHM_AES256;
  const char* text = reinterpret_cast<const char*>(passphrase.data());
  int r = 0;
  if (format.luks2) {
    rbd_encryption_luks2_format_options_t options{algorithm, text, passphrase.size()};
    r = rbd_encryption_format(image->get(), RBD_ENCRYPTION_FORMAT_LUKS2, &options, sizeof options);
  } else {
    rbd_encryption_luks1_format_options_t options{algorithm, text, passphrase.size()};
    r = rbd_encryption_format(image->get(), RBD_ENCRYPTION_FORMAT_LUKS1, &options, sizeof options);
  }
  if (r < 0) {
    // librbd checks the size first and writes nothing then.
    std::string after = r == -ENOSPC ? " (the image is too small for its header and data)" : "";
    try {
      if (first_data_byte(*image, name, area) < area) after += restore_blank(*image, area);
    } catch (const Error&) {
      after += restore_blank(*image, area);
    }
    throw Error(ErrorKind::internal, name + ": librbd could not format it as " +
                                         (format.luks2 ? "LUKS2" : "LUKS1") + ": " +
                                         rbd_error_text(r) + after);
  }
  if (rbd_flush(image->get()) < 0) {
    throw Error(ErrorKind::internal, name + ": librbd formatted it but could not flush");
  }
}

}  // namespace volcrypt

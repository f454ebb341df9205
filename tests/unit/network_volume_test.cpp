// A network volume's bytes as the header functions read them: reads stop at the
// volume's end, and a read past it is refused rather than filled with zeros.
#include "network/network_volume.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "expect_error.hpp"
#include "network/network_volume_header.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

// A volume in memory: the one stand-in the unit tests use for a server.
class MemoryVolume final : public NetworkVolume {
 public:
  explicit MemoryVolume(std::vector<uint8_t> bytes)
      : NetworkVolume("nbd://127.0.0.1/memory", bytes.size()), bytes_(std::move(bytes)) {}
  std::vector<std::pair<uint64_t, size_t>> reads;

 private:
  void read_within(uint64_t offset, std::span<uint8_t> into) override {
    reads.emplace_back(offset, into.size());
    std::copy_n(bytes_.begin() + static_cast<ptrdiff_t>(offset), into.size(), into.begin());
  }
  std::vector<uint8_t> bytes_;
};

TEST(NetworkVolume, RefusesAReadPastItsEnd) {
  MemoryVolume volume(std::vector<uint8_t>(1000, 1));
  std::vector<uint8_t> buffer(10);
  EXPECT_EQ(error_of(ErrorKind::internal, [&] { volume.read(995, buffer); }),
            "nbd://127.0.0.1/memory: a read of 10 bytes at offset 995 goes past the volume's "
            "end (1000 bytes)");
  EXPECT_TRUE(volume.reads.empty());
  volume.read(990, buffer);
  EXPECT_EQ(buffer, std::vector<uint8_t>(10, 1));
}

TEST(NetworkVolume, ItsBytesStopAtItsEnd) {
  MemoryVolume volume(std::vector<uint8_t>(1000, 0));
  const VolumeBytes bytes = network_volume_bytes(volume);
  EXPECT_EQ(bytes.name, "nbd://127.0.0.1/memory");
  EXPECT_EQ(bytes.size, 1000u);
  std::vector<uint8_t> buffer(4096);
  EXPECT_EQ(bytes.read_at(0, buffer), 1000u);
  EXPECT_EQ(bytes.read_at(1000, buffer), 0u);
  EXPECT_EQ(bytes.read_at(5000, buffer), 0u);
  EXPECT_EQ(volume.reads, (std::vector<std::pair<uint64_t, size_t>>{{0, 1000}}));
}

TEST(NetworkVolume, AShortBlankVolumeIsBlankAndNotLuks) {
  MemoryVolume volume(std::vector<uint8_t>(1000, 0));
  EXPECT_EQ(read_network_volume_header(volume), HeaderKind::blank);
  EXPECT_EQ(network_volume_size_bytes(volume), 1000u);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { network_luks_payload_offset(volume); }),
            "volume 'nbd://127.0.0.1/memory' is not LUKS");
}

}  // namespace
}  // namespace volcrypt

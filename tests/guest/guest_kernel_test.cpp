// The VM really offers what the host lacks: device-mapper with the crypt target, as the
// core's own host-fact detection sees it.
#include <gtest/gtest.h>

#include "block_io.hpp"
#include "domain/host_facts.hpp"

namespace volcrypt::guest {
namespace {

TEST(GuestKernel, OffersDeviceMapperWithDmCrypt) {
  EXPECT_TRUE(path_exists("/dev/mapper/control"));
  HostFacts facts;
  detect_device_mapper(facts);
  EXPECT_TRUE(facts.has_device_mapper);
  EXPECT_TRUE(facts.has_dm_crypt);
}

}  // namespace
}  // namespace volcrypt::guest

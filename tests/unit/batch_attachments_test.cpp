// The one-attachment rule across a batch's own requests, without a daemon: one volume
// (by volume id, or by the file or device under any spelling) twice needs shareable in
// both, and the refusal names both requests and the volume.
#include "operations/batch_attachments.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "expect_error.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

class BatchAttachments : public ::testing::Test {
 protected:
  void SetUp() override {
    test_volumes::make_blank_file(first, 1 << 20);
    test_volumes::make_blank_file(second, 1 << 20);
    std::filesystem::create_symlink(first, link);
  }

  static AttachRequest request(const std::string& target, const std::string& source,
                               const std::string& volume_id, bool shareable = false) {
    AttachRequest r;
    r.domain = "vm1";
    r.target = target;
    r.volume.source_path = source;
    r.volume.volume_id = volume_id;
    r.volume.provider = "luks";
    r.shareable = shareable;
    return r;
  }

  std::string refusal(const std::vector<AttachRequest>& requests) {
    return error_of(ErrorKind::busy, [&] { require_batch_attaches_once(requests); });
  }

  test_volumes::ScratchDir scratch;
  std::string first = scratch.file("first.img");
  std::string second = scratch.file("second.img");
  std::string link = scratch.file("link.img");
};

TEST_F(BatchAttachments, DifferentVolumesPass) {
  EXPECT_NO_THROW(require_batch_attaches_once(
      {request("sdb", first, "vol-a"), request("sdc", second, "vol-b")}));
}

TEST_F(BatchAttachments, OneFileUnderTwoVolumeIdsIsRefusedNamingBothRequests) {
  EXPECT_EQ(refusal({request("sdb", second, "vol-x"), request("sdc", first, "vol-a"),
                     request("sdd", first, "vol-b")}),
            "batch request 2: volume vol-b ('" + first +
                "') is the volume of batch request 1 "
                "(volume vol-a ('" +
                first +
                "')); a volume attached twice needs \"shareable\": "
                "true in both requests");
}

TEST_F(BatchAttachments, TheSameFileThroughALinkIsTheSameVolume) {
  EXPECT_EQ(refusal({request("sdb", first, "vol-a"), request("sdc", link, "vol-b", true)}),
            "batch request 1: volume vol-b ('" + link +
                "') is the volume of batch request 0 "
                "(volume vol-a ('" +
                first +
                "')); a volume attached twice needs \"shareable\": "
                "true in both requests");
}

TEST_F(BatchAttachments, OneVolumeIdOnTwoFilesIsTheSameVolume) {
  EXPECT_EQ(refusal({request("sdb", first, "vol-a", true), request("sdc", second, "vol-a")}),
            "batch request 1: volume vol-a ('" + second +
                "') is the volume of batch request 0 "
                "(volume vol-a ('" +
                first +
                "')); a volume attached twice needs \"shareable\": "
                "true in both requests");
}

TEST_F(BatchAttachments, ShareableInEveryRequestPasses) {
  EXPECT_NO_THROW(require_batch_attaches_once({request("sdb", first, "vol-a", true),
                                               request("sdc", link, "vol-b", true),
                                               request("sdd", first, "vol-a", true)}));
}

}  // namespace
}  // namespace volcrypt

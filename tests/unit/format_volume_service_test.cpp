// format_volume (ABI 1.4) from both sides: the SDK's Host::format_volume over the host's
// table (a host that predates the service, outside prepare, each refusal's status and
// words), and what the core's service formats: RBD images only, in a format, cipher and
// key size librbd writes, refused before anything is opened.
#include <gtest/gtest.h>

#include <cstddef>
#include <span>
#include <string>
#include <volcrypt/error.hpp>
#include <volcrypt/plugin.hpp>

#include "operations/engine_context.hpp"
#include "operations/volume_format.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt {
namespace {

const std::string kPassphrase = "the passphrase";

std::span<const uint8_t> bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// What Host::format_volume throws, as status and message; OK and "" when it returns.
std::pair<volcrypt_status, std::string> format_through_sdk(const volcrypt_host* table,
                                                           const std::string& format,
                                                           const std::string& cipher = "",
                                                           uint32_t key_size_bits = 0) {
  try {
    sdk::Host(table).format_volume(format, cipher, key_size_bits, bytes(kPassphrase));
  } catch (const sdk::Error& e) {
    return {e.status(), e.what()};
  }
  return {VOLCRYPT_OK, ""};
}

TEST(FormatVolumeService, AHostThatPredatesItIsNotSupported) {
  HostServices host(nullptr, HostFacts{}, {});
  volcrypt_host old_host = *host.table();
  old_host.struct_size = offsetof(volcrypt_host, format_volume);
  EXPECT_FALSE(sdk::Host(&old_host).offers_format_volume());
  EXPECT_EQ(format_through_sdk(&old_host, "luks"),
            std::make_pair(VOLCRYPT_ERROR_NOT_SUPPORTED,
                           std::string("the host offers no format_volume (volcrypt ABI 1.4)")));
}

TEST(FormatVolumeService, OutsidePrepareItRefuses) {
  HostServices host(nullptr, HostFacts{}, {});
  EXPECT_TRUE(sdk::Host(host.table()).offers_format_volume());
  EXPECT_EQ(format_through_sdk(host.table(), "luks"),
            std::make_pair(VOLCRYPT_ERROR_NOT_SUPPORTED,
                           std::string("a volume can be formatted only while it is prepared")));
}

TEST(FormatVolumeService, HandsTheRequestOnAndEachRefusalKeepsItsKind) {
  HostServices host(nullptr, HostFacts{}, {});
  VolumeFormatRequest asked;
  std::string passphrase;
  host.set_volume_format([&](const VolumeFormatRequest& request, std::span<const uint8_t> key) {
    asked = request;
    passphrase.assign(key.begin(), key.end());
  });
  EXPECT_EQ(format_through_sdk(host.table(), "luks2", "aes-xts-plain64", 256).first, VOLCRYPT_OK);
  EXPECT_EQ(asked.format, "luks2");
  EXPECT_EQ(asked.cipher, "aes-xts-plain64");
  EXPECT_EQ(asked.key_size_bits, 256u);
  EXPECT_EQ(passphrase, kPassphrase);

  const std::pair<ErrorKind, volcrypt_status> kinds[] = {
      {ErrorKind::refused_data, VOLCRYPT_ERROR_REFUSED_DATA},
      {ErrorKind::no_plugin, VOLCRYPT_ERROR_NOT_SUPPORTED},
      {ErrorKind::usage, VOLCRYPT_ERROR_INVALID},
      {ErrorKind::not_found, VOLCRYPT_ERROR_NOT_FOUND},
      {ErrorKind::internal, VOLCRYPT_ERROR_FAILED}};
  for (const auto& [kind, status] : kinds) {
    host.set_volume_format([kind](const VolumeFormatRequest&, std::span<const uint8_t>) {
      throw Error(kind, "why it was refused");
    });
    EXPECT_EQ(format_through_sdk(host.table(), "luks"),
              std::make_pair(status, std::string("why it was refused")));
  }
}

TEST(FormatVolumeService, AFormatWithoutAPassphraseIsInvalid) {
  HostServices host(nullptr, HostFacts{}, {});
  bool called = false;
  host.set_volume_format(
      [&](const VolumeFormatRequest&, std::span<const uint8_t>) { called = true; });
  std::array<char, 256> message{};
  volcrypt_error error{message.data(), message.size()};
  const volcrypt_host* table = host.table();
  EXPECT_EQ(table->format_volume(table->context, "luks", nullptr, 0, nullptr, 0, &error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_STREQ(message.data(), "formatting needs a passphrase");
  EXPECT_FALSE(called);
}

class CoreVolumeFormat : public ::testing::Test {
 protected:
  // What the core's service says before it opens anything (no cluster is reachable here).
  std::string refusal(const VolumeSpec& volume, const VolumeFormatRequest& request,
                      ErrorKind expected) {
    try {
      volume_format_for(context, volume)(request, bytes(kPassphrase));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), expected) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "nothing was refused";
    return {};
  }

  static VolumeSpec rbd_image() {
    VolumeSpec volume;
    volume.source_path = "rbd:volumes/img";
    volume.network = NetworkSource{};
    volume.network->protocol = NetworkProtocol::rbd;
    volume.network->name = "volumes/img";
    return volume;
  }

  EngineContext context{Settings{}, {}};
};

TEST_F(CoreVolumeFormat, FormatsRbdImagesOnly) {
  VolumeSpec file;
  file.source_path = "/srv/vol.img";
  EXPECT_EQ(refusal(file, {"luks", "", 0}, ErrorKind::no_plugin),
            "only RBD images are formatted by the host (with librbd's encryption format); "
            "volume '/srv/vol.img' is not one");
  VolumeSpec nbd;
  nbd.source_path = "nbd://127.0.0.1/e";
  nbd.network = NetworkSource{};
  nbd.network->protocol = NetworkProtocol::nbd;
  EXPECT_EQ(refusal(nbd, {"luks", "", 0}, ErrorKind::no_plugin),
            "only RBD images are formatted by the host (with librbd's encryption format); "
            "volume 'nbd://127.0.0.1/e' is not one");
}

TEST_F(CoreVolumeFormat, RefusesWhatLibrbdCannotWriteBeforeOpeningTheImage) {
  EXPECT_EQ(refusal(rbd_image(), {"plain", "", 0}, ErrorKind::usage),
            "format 'plain' is neither luks (LUKS1) nor luks2");
  EXPECT_EQ(refusal(rbd_image(), {"luks", "serpent-xts-plain64", 0}, ErrorKind::usage),
            "librbd formats aes-xts-plain64 with a 256- or 512-bit key only; volume "
            "'rbd:volumes/img' asks for serpent-xts-plain64 with a 512-bit key; it was left as "
            "it is");
  EXPECT_EQ(refusal(rbd_image(), {"luks2", "", 384}, ErrorKind::usage),
            "librbd formats aes-xts-plain64 with a 256- or 512-bit key only; volume "
            "'rbd:volumes/img' asks for aes-xts-plain64 with a 384-bit key; it was left as it "
            "is");
}

}  // namespace
}  // namespace volcrypt

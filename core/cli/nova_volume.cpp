#include "nova_volume.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

#include "nova_json_reader.hpp"
#include "nova_network_volume.hpp"

namespace volcrypt::cli {
namespace {

using nlohmann::json;

// os-brick compares provider names exactly; its legacy map spells the class "Noop"
// while the class itself is "NoOp", and both reach the NoOp encryptor.
constexpr std::array<std::string_view, 6> kNoopProviders = {
    "nop",
    "NoOpEncryptor",
    "nova.volume.encryptors.nop.NoOpEncryptor",
    "nova.volume.encryptors.nop.NoopEncryptor",
    "os_brick.encryptors.nop.NoOpEncryptor",
    "os_brick.encryptors.nop.NoopEncryptor",
};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return text;
}

// The types os-brick attaches as a host block device with a device_path. None at all:
// the shape volcrypt read before it knew the type.
bool is_host_device_type(const std::string& type) {
  return type.empty() || type == "local" || type == "fibre_channel" || type == "iscsi";
}

}  // namespace

NetworkSource with_network_defaults(NetworkSource source, const NetworkDefaults& defaults) {
  if (source.protocol == NetworkProtocol::rbd) {
    source.hosts = defaults.rbd_monitors;
    source.auth_username = defaults.rbd_user;
    source.auth_secret_uuid = defaults.rbd_secret_uuid;
  } else {
    source.auth_username = defaults.iscsi_user;
    source.auth_secret_uuid = defaults.iscsi_secret_uuid;
  }
  validate_network_source(source);
  return source;
}

bool is_noop_provider(const std::string& provider) {
  return std::find(kNoopProviders.begin(), kNoopProviders.end(), provider) != kNoopProviders.end();
}

VolumeSpec volume_from_nova_json(const json& document, const std::string& where,
                                 const NetworkDefaults& defaults, std::vector<std::string>* notes) {
  NovaJsonReader read(where);
  if (!document.is_object()) read.fail("the volume description is not a JSON object");
  const json* connection = read.object_member(document, "connection_info", "connection_info");
  if (connection == nullptr) read.fail("no connection_info");
  const json* data = read.object_member(*connection, "data", "connection_info.data");
  const std::string type =
      read.string_member(*connection, "driver_volume_type", "connection_info.driver_volume_type")
          .value_or("");

  VolumeSpec spec;
  if (data != nullptr) {
    spec.source_path =
        read.string_member(*data, "device_path", "connection_info.data.device_path").value_or("");
    spec.volume_id =
        read.string_member(*data, "volume_id", "connection_info.data.volume_id").value_or("");
  }
  if (spec.volume_id.empty()) {
    spec.volume_id =
        read.string_member(*connection, "serial", "connection_info.serial").value_or("");
  }
  // os-brick's iSCSI connector gives a host device its path; without one QEMU's own
  // initiator reaches the target.
  const bool network = type == "rbd" || (type == "iscsi" && spec.source_path.empty());
  if (network) {
    if (data == nullptr) read.fail("no connection_info.data");
    spec.network = type == "rbd" ? rbd_source_from_cinder(*data, read, defaults)
                                 : iscsi_source_from_cinder(*data, read, defaults, notes);
    spec.source_path = network_source_name(*spec.network);
  } else if (!is_host_device_type(type)) {
    read.fail("unknown driver_volume_type '" + printable_text(type) + "'");
  }
  if (spec.source_path.empty()) read.fail("no connection_info.data.device_path");
  if (spec.volume_id.empty()) read.fail("neither connection_info.data.volume_id nor serial");

  const json* encryption = read.object_member(document, "encryption", "encryption");
  if (encryption == nullptr) {
    spec.encrypted = false;  // Nova sends no encryption for a plain volume
    return spec;
  }
  const std::string location =
      read.string_member(*encryption, "control_location", "encryption.control_location")
          .value_or("front-end");
  // Nova and os-brick compare the location without regard to case.
  const std::string location_key = lowercase(location);
  if (location_key != "front-end" && location_key != "back-end") {
    read.fail("encryption.control_location '" + printable_text(location) +
              "' is neither front-end nor back-end");
  }
  const std::optional<std::string> provider =
      read.string_member(*encryption, "provider", "encryption.provider");
  if (provider && provider->empty()) read.fail("encryption.provider is empty");
  spec.provider = provider.value_or("");
  spec.cipher = read.string_member(*encryption, "cipher", "encryption.cipher").value_or("");
  spec.key_size_bits = read.key_size_member(*encryption);
  // Back-end: the storage or the guest decrypts. No provider or a NoOp one: Nova asked
  // for no encryption. Either way the host attaches the volume as it is.
  spec.encrypted = location_key == "front-end" && provider && !is_noop_provider(*provider);
  return spec;
}

}  // namespace volcrypt::cli

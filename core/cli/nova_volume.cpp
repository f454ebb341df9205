#include "nova_volume.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

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

class Reader {
 public:
  explicit Reader(const std::string& where) : where_(where) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorKind::usage, where_ + ": " + problem);
  }

  // The member, or null when it is missing or JSON null (Cinder writes null for unset).
  const json* member(const json& object, const char* key) const {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
  }

  const json* object_member(const json& object, const char* key, const std::string& name) const {
    const json* value = member(object, key);
    if (value != nullptr && !value->is_object()) fail(name + " is not a JSON object");
    return value;
  }

  std::optional<std::string> string_member(const json& object, const char* key,
                                           const std::string& name) const {
    const json* value = member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) fail(name + " is not a string");
    return value->get<std::string>();
  }

  // Nova passes key_size as a number; a string of digits is taken too.
  uint32_t key_size_member(const json& object) const {
    const json* value = member(object, "key_size");
    if (value == nullptr) return 0;
    std::string text;
    if (value->is_number_unsigned()) {
      text = std::to_string(value->get<uint64_t>());
    } else if (value->is_string()) {
      text = value->get<std::string>();
    } else {
      fail("encryption.key_size is not a number");
    }
    uint32_t bits = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bits);
    if (error != std::errc() || end != text.data() + text.size() || bits == 0 || bits % 8 != 0) {
      fail("encryption.key_size '" + printable_text(text) + "' is not a number of bits");
    }
    return bits;
  }

 private:
  const std::string& where_;
};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return text;
}

}  // namespace

bool is_noop_provider(const std::string& provider) {
  return std::find(kNoopProviders.begin(), kNoopProviders.end(), provider) != kNoopProviders.end();
}

VolumeSpec volume_from_nova_json(const json& document, const std::string& where) {
  Reader read(where);
  if (!document.is_object()) read.fail("the volume description is not a JSON object");
  const json* connection = read.object_member(document, "connection_info", "connection_info");
  if (connection == nullptr) read.fail("no connection_info");
  const json* data = read.object_member(*connection, "data", "connection_info.data");

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

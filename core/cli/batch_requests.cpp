#include "batch_requests.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/engine.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/strict_json.hpp>

#include "disk_bus.hpp"
#include "nova_volume.hpp"
#include "scope_options.hpp"
#include "volume_options.hpp"

namespace volcrypt::cli {
namespace {

using nlohmann::json;

// One request object, read field by field; errors name the field (the caller adds the
// request's index).
class RequestFields {
 public:
  RequestFields(const json& object, std::initializer_list<std::string_view> known)
      : object_(object) {
    if (!object.is_object()) fail("is not a JSON object");
    for (const auto& [name, value] : object.items()) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        fail("unknown field '" + printable_text(name) + "'");
      }
    }
  }

  [[noreturn]] static void fail(const std::string& problem) {
    throw Error(ErrorKind::usage, problem);
  }

  bool has(const char* name) const { return object_.contains(name); }

  std::optional<std::string> text(const char* name) const {
    if (!has(name)) return std::nullopt;
    const json& value = object_.at(name);
    if (!value.is_string()) fail(std::string("field '") + name + "' is not a string");
    return value.get<std::string>();
  }

  std::string required_text(const char* name, const char* hint = "") const {
    std::optional<std::string> value = text(name);
    if (!value) fail(std::string("field '") + name + "' is missing" + hint);
    return *value;
  }

  bool flag(const char* name) const {
    if (!has(name)) return false;
    const json& value = object_.at(name);
    if (!value.is_boolean()) fail(std::string("field '") + name + "' is not true or false");
    return value.get<bool>();
  }

  const json& at(const char* name) const { return object_.at(name); }

 private:
  const json& object_;
};

VolumeSpec volume_of(const RequestFields& fields, const NetworkDefaults& defaults) {
  if (fields.has("volume")) {
    for (const char* name : {"source", "volume_id", "provider", "cipher", "key_size"}) {
      if (fields.has(name)) {
        RequestFields::fail(std::string("field '") + name + "' cannot be combined with 'volume'");
      }
    }
    return volume_from_nova_json(fields.at("volume"), "field 'volume'", defaults);
  }
  const char* hint = " (or describe the volume with 'volume')";
  VolumeSpec spec;
  spec.source_path = fields.required_text("source", hint);
  if (auto network = parse_network_source(spec.source_path)) {
    spec.network = with_network_defaults(*network, defaults);
  }
  spec.volume_id = fields.required_text("volume_id", hint);
  spec.provider = fields.required_text("provider", hint);
  spec.cipher = fields.text("cipher").value_or("");
  if (fields.has("key_size")) {
    const json& bits = fields.at("key_size");
    if (!bits.is_number_integer() || bits.get<int64_t>() < 0) {
      RequestFields::fail("field 'key_size' is not a number");
    }
    spec.key_size_bits = parse_key_size(std::to_string(bits.get<int64_t>()), "field 'key_size'");
  }
  return spec;
}

AttachRequest attach_request_of(const json& object, const NetworkDefaults& defaults) {
  const RequestFields fields(
      object, {"domain", "target", "bus", "iothread", "live", "config", "plugin", "shareable",
               "volume", "source", "volume_id", "provider", "cipher", "key_size"});
  AttachRequest request;
  request.domain = fields.required_text("domain");
  request.target = fields.required_text("target");
  if (auto bus = fields.text("bus")) request.bus = parse_bus(*bus);
  if (fields.has("iothread")) {
    const json& id = fields.at("iothread");
    if (!id.is_number_integer()) RequestFields::fail("field 'iothread' is not a number");
    request.iothread = parse_iothread(id.dump(), "field 'iothread'");
  }
  request.scope = scope_from(fields.flag("live"), fields.flag("config"));
  request.forced_plugin = fields.text("plugin");
  request.shareable = fields.flag("shareable");
  request.volume = with_canonical_source(volume_of(fields, defaults));
  return request;
}

DetachRequest detach_request_of(const json& object) {
  const RequestFields fields(object, {"domain", "target", "live", "config"});
  DetachRequest request;
  request.domain = fields.required_text("domain");
  request.target = fields.required_text("target");
  request.scope = scope_from(fields.flag("live"), fields.flag("config"));
  return request;
}

// Each request read by `read`, its errors prefixed with its index; one disk per
// domain and target, since a second request for it could only fail or undo the first.
template <typename Request, typename Read>
std::vector<Request> requests_from(const json& batch, Read read) {
  if (!batch.is_array()) throw Error(ErrorKind::usage, "the batch is not a JSON array of requests");
  require_batch_size(batch.size());
  std::vector<Request> requests;
  std::map<std::pair<std::string, std::string>, size_t> seen;
  for (size_t index = 0; index < batch.size(); ++index) {
    try {
      requests.push_back(read(batch[index]));
    } catch (const Error& e) {
      throw Error(e.kind(), batch_request_name(index) + ": " + e.what());
    }
    const Request& request = requests.back();
    auto [it, added] = seen.emplace(std::make_pair(request.domain, request.target), index);
    if (!added) {
      throw Error(ErrorKind::usage, batch_request_name(index) + ": target '" +
                                        printable_text(request.target) + "' of domain '" +
                                        printable_text(request.domain) + "' is also in " +
                                        batch_request_name(it->second));
    }
  }
  return requests;
}

}  // namespace

std::string batch_request_name(size_t index) { return "batch request " + std::to_string(index); }

json read_batch(const std::string& source, const CommandInput& input) {
  if (source == "-") {
    return parse_strict_json(input.read_standard_input("the batch", kMaxBatchBytes),
                             "the batch on standard input");
  }
  return parse_strict_json(read_bounded_file(source, "batch file", kMaxBatchBytes),
                           "batch file '" + printable_text(source) + "'");
}

std::vector<AttachRequest> attach_requests_from_batch(const json& batch,
                                                      const NetworkDefaults& defaults) {
  return requests_from<AttachRequest>(
      batch, [&](const json& object) { return attach_request_of(object, defaults); });
}

std::vector<DetachRequest> detach_requests_from_batch(const json& batch) {
  return requests_from<DetachRequest>(batch, detach_request_of);
}

}  // namespace volcrypt::cli

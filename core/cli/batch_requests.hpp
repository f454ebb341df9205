// A batch (`attach --batch`, `detach --batch`): a JSON array of request objects, a
// contract scripts rely on (README.md, volcrypt(1)). Read as hostile input: the whole
// batch is checked (its size, types, unknown, missing and repeated fields, duplicate
// targets, the volumes) before anything runs, and an error names the request's index
// and the field.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "command_input.hpp"
#include "nova_volume.hpp"

namespace volcrypt::cli {

// 64 requests take about 20 KiB; a cap keeps a runaway file from being parsed.
inline constexpr size_t kMaxBatchBytes = 16 * 1024 * 1024;

// "batch request N", as every error about one request begins.
std::string batch_request_name(size_t index);

// The batch document from a file, or standard input for "-".
nlohmann::json read_batch(const std::string& source, const CommandInput& input);

// Both refuse more than kMaxBatchRequests requests before reading any of them.
// Attach objects: domain, target, optional bus, live, config, plugin, shareable; and
// either volume (the object --volume-json takes) or source, volume_id, provider
// (optional cipher, key_size). Sources come back canonical; a network source gets what
// it leaves out from defaults (the config's rbd_* settings).
std::vector<AttachRequest> attach_requests_from_batch(const nlohmann::json& batch,
                                                      const NetworkDefaults& defaults = {});
// Detach objects: domain, target, optional live, config.
std::vector<DetachRequest> detach_requests_from_batch(const nlohmann::json& batch);

}  // namespace volcrypt::cli

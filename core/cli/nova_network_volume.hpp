// The network volumes of Cinder's connection_info: what QEMU reaches by itself.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <volcrypt/network_source.hpp>

#include "nova_json_reader.hpp"
#include "nova_volume.hpp"

namespace volcrypt::cli {

// Cinder's RBD driver's data: the image, its monitors, the Ceph user and secret
// (auth_enabled false: none). Validated; gaps filled from defaults.
NetworkSource rbd_source_from_cinder(const nlohmann::json& data, const NovaJsonReader& read,
                                     const NetworkDefaults& defaults);

// An iSCSI target for QEMU's initiator: one portal, IQN and LUN (the first of Cinder's
// multipath lists, said in notes), a CHAP user and the deployer's secret for it.
NetworkSource iscsi_source_from_cinder(const nlohmann::json& data, const NovaJsonReader& read,
                                       const NetworkDefaults& defaults,
                                       std::vector<std::string>* notes);

}  // namespace volcrypt::cli

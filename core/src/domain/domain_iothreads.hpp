// The iothreads a libvirt domain defines: where a disk's <driver iothread=N> may point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace volcrypt {

// The ids of <iothreadids>, or 1..N of <iothreads>N</iothreads>; empty when it has none.
std::vector<uint32_t> domain_iothread_ids(const std::string& domain_xml);

}  // namespace volcrypt

// The record: what volcrypt keeps in a domain's <metadata> so that detach loads the
// plugin that attached, never re-ranking.
#pragma once

#include <string>
#include <vector>
#include <volcrypt/types.hpp>

namespace volcrypt {

inline constexpr const char* kRecordNamespace = "urn:volcrypt:record:1";
inline constexpr const char* kRecordPrefix = "volcrypt";

// The element handed to virDomainSetMetadata (no namespace prefix: libvirt adds it).
std::string records_to_xml(const std::vector<Record>& records);
// Parses what virDomainGetMetadata returns; an empty string gives no records.
// Throws Error(internal) for a malformed record, naming what is wrong.
std::vector<Record> records_from_xml(const std::string& xml);
// The records inside a whole domain XML (as a libvirt hook receives it on standard
// input, where calling back into libvirt is not allowed).
std::vector<Record> records_from_domain_xml(const std::string& domain_xml);

}  // namespace volcrypt

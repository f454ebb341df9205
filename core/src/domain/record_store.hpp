// Reads and rewrites the records of a domain, on its live and/or persistent side.
#pragma once

#include <optional>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "domain/scope.hpp"

namespace volcrypt {

class LibvirtSession;

class RecordStore {
 public:
  // For one operation under the domain's lock: each side is read at most once.
  RecordStore(LibvirtSession& session, std::string domain);

  // Live side when the domain runs and inactive is false; the persistent side otherwise.
  std::vector<Record> read(bool inactive);
  std::optional<Record> find(const std::string& target, bool inactive);
  // Adds or replaces the record for record.target on each side in scope.
  void put(const Record& record, ResolvedScope scope);
  // Removes the record for target on each side in scope (a missing one is fine).
  void remove(const std::string& target, ResolvedScope scope);

 private:
  void write(const std::vector<Record>& records, bool inactive);
  LibvirtSession& session_;
  std::string domain_;
  // What each side held when this store last read or wrote it. A store lives for one
  // operation under the domain's lock, and only volcrypt writes its namespace.
  std::optional<std::vector<Record>> side_[2];
};

}  // namespace volcrypt

#include "domain/libvirt_migration.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <chrono>
#include <memory>
#include <thread>
#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

struct DomainFree {
  void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};
using Domain = std::unique_ptr<virDomain, DomainFree>;

struct TypedParams {
  virTypedParameterPtr params = nullptr;
  int count = 0;
  int capacity = 0;
  ~TypedParams() { virTypedParamsFree(params, count); }
};

unsigned int migration_flags(const MigrationOptions& options) {
  unsigned int flags = VIR_MIGRATE_PEER2PEER;
  if (options.live) flags |= VIR_MIGRATE_LIVE;
  if (options.unsafe) flags |= VIR_MIGRATE_UNSAFE;
  if (options.move_definition) flags |= VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
  return flags;
}

}  // namespace

void migrate_through_libvirt(LibvirtSession& session, const std::string& domain,
                             const MigrationOptions& options) {
  Domain handle(virDomainLookupByName(session.raw(), domain.c_str()));
  if (!handle) {
    throw Error(ErrorKind::not_found, "domain '" + domain + "' not found");
  }
  TypedParams params;
  if (!options.migrate_uri.empty() &&
      virTypedParamsAddString(&params.params, &params.count, &params.capacity,
                              VIR_MIGRATE_PARAM_URI, options.migrate_uri.c_str()) < 0) {
    throw Error(ErrorKind::internal, "cannot pass the migration URI to libvirt");
  }
  if (virDomainMigrateToURI3(handle.get(), options.dest_uri.c_str(), params.params,
                             static_cast<unsigned int>(params.count),
                             migration_flags(options)) < 0) {
    throw Error(ErrorKind::libvirt, "cannot migrate domain '" + domain + "' to " +
                                        options.dest_uri + ": " + virGetLastErrorMessage());
  }
}

bool wait_for_domain_job_end(LibvirtSession& session, const std::string& domain, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    Domain handle(virDomainLookupByName(session.raw(), domain.c_str()));
    if (!handle) return true;
    virDomainJobInfo info{};
    if (virDomainGetJobInfo(handle.get(), &info) < 0 || info.type == VIR_DOMAIN_JOB_NONE) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace volcrypt

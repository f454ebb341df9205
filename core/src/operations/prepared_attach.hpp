// The part of an encrypted attach before its disk goes into the domain: the plugin ranked
// and prepared, the volume's secret defined, the <disk> built and journaled in the intent.
// Undone on destruction unless committed, so a caller may hold several (a batch that
// defines the domain once for all of them) and finish or undo each on its own.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "domain/scope.hpp"
#include "operations/attach_intent.hpp"
#include "operations/engine_context.hpp"
#include "operations/libvirt_secrets.hpp"
#include "operations/rollback.hpp"
#include "operations/secret_guard.hpp"
#include "operations/volume_probe.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt {

class PreparedAttach {
 public:
  // The caller holds the domain's and the volume's locks and checked the target and the
  // volume are free. Throws what refused the volume, having undone what it made.
  // iothread: the one the disk runs on (<driver iothread=N>), 0 for none.
  PreparedAttach(EngineContext& context, const AttachRequest& request, const VolumeKey& key,
                 const std::string& domain_uuid, ResolvedScope scope, uint32_t iothread);
  PreparedAttach(const PreparedAttach&) = delete;
  PreparedAttach& operator=(const PreparedAttach&) = delete;

  const std::string& disk_xml() const { return result_.disk_xml; }
  const Record& record() const { return result_.record; }
  // QEMU opens the LUKS header itself (so a wrong passphrase shows when it is plugged in).
  bool native_encryption() const { return native_encryption_; }
  // An undo step for what the caller did after preparing; runs before the preparation's.
  void add_undo(std::function<void()> step) { rollback_.add(std::move(step)); }
  // The disk is in and recorded: nothing to undo, the intent goes.
  AttachResult commit();

 private:
  EngineContext& context_;
  ResolvedScope scope_;
  VolumeProbe probe_;
  AttachResult result_;
  AttachIntent intent_;
  SecretGuard guard_;
  LibvirtSecrets secrets_;
  HostServices host_;
  volcrypt_attachment attachment_;
  bool native_encryption_ = false;
  // Last, so its steps run while everything they use still exists.
  Rollback rollback_;
};

}  // namespace volcrypt

// A throw-away libvirt domain on the real qemu:///system daemon: TCG, a virtio-scsi
// controller for hot-plug without a guest OS, removed (destroyed and undefined) after.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

typedef struct _virConnect* virConnectPtr;

namespace volcrypt::test {

struct DomainOptions {
  bool persistent = false;  // defined (and undefined after) rather than created
  bool start = true;
  std::string serial_log;  // a file receiving the guest's COM1 output, if set
  int iothreads = 0;       // <iothreads>N</iothreads>: ids 1..N for virtio disks
};

class TestDomain {
 public:
  TestDomain(virConnectPtr connection, const std::string& name, DomainOptions options);
  // A domain that already exists on this connection (e.g. one that migrated there), whose
  // QEMU log is in log_dir; removed after as the ones made here are.
  static std::unique_ptr<TestDomain> existing(virConnectPtr connection, const std::string& name,
                                              const std::string& log_dir);
  ~TestDomain();
  TestDomain(const TestDomain&) = delete;
  TestDomain& operator=(const TestDomain&) = delete;

  const std::string& name() const { return name_; }
  void start();
  std::string live_xml() const;
  std::string inactive_xml() const;
  // Runs an HMP command in QEMU's monitor and returns its reply.
  std::string monitor(const std::string& hmp_command) const;
  // Verifies, through QEMU's own decryption, that the guest's disk at target reads
  // `length` bytes of `pattern` from offset 0 (qemu-io in the monitor; its verdict
  // lands in the domain log). Returns the verdict line.
  std::string read_pattern(const std::string& target, int pattern, size_t length,
                           uint64_t offset = 0) const;
  // Reads length bytes at offset through that node: "read N/N bytes at offset O" when the
  // disk is that large, a failure line when the read goes past its end.
  std::string read_at(const std::string& target, uint64_t offset, size_t length) const;
  // Writes a pattern through the guest's disk (QEMU encrypts it).
  std::string write_pattern(const std::string& target, int pattern, size_t length) const;
  // The QEMU block node that decrypts the disk at target, e.g. libvirt-2-format.
  std::optional<std::string> format_node(const std::string& target) const;

 private:
  std::string run_qemu_io(const std::string& target, const std::string& command,
                          bool through_device) const;
  std::optional<std::string> disk_attribute(const std::string& target, const char* element,
                                            const char* attribute) const;
  TestDomain(virConnectPtr connection, std::string name, std::string log_dir);
  virConnectPtr connection_;
  std::string name_;
  DomainOptions options_;
  std::string log_dir_ = "/var/log/libvirt/qemu";
};

std::string domain_xml_text(const std::string& name, const DomainOptions& options);

}  // namespace volcrypt::test

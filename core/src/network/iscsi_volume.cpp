// An iSCSI LUN read through libiscsi's synchronous API: connect and log in, READ
// CAPACITY(16) for its size (and to see that the LUN exists), READ(16) for its bytes.
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "network/protocol_volumes.hpp"

namespace volcrypt {
namespace {

constexpr uint16_t kIscsiPort = 3260;
// Our initiator's name; targets that limit access by address (tgtadm -I) ignore it.
constexpr const char* kInitiatorName = "iqn.2026-12.org.volcrypt:probe";
// At most this much per READ(16): well under what targets accept in one command.
constexpr uint32_t kMaxReadBytes = 1024 * 1024;

// A context, destroyed (after a logout when logged in) on every path out.
class Context {
 public:
  Context() : context_(iscsi_create_context(kInitiatorName)) {}
  ~Context() {
    if (context_ == nullptr) return;
    if (logged_in_) iscsi_logout_sync(context_);
    iscsi_destroy_context(context_);
  }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  iscsi_context* get() const { return context_; }
  void set_logged_in() { logged_in_ = true; }
  std::string error() const { return iscsi_get_error(context_); }

 private:
  iscsi_context* context_;
  bool logged_in_ = false;
};

// A finished SCSI task, freed on every path out.
class Task {
 public:
  explicit Task(scsi_task* task) : task_(task) {}
  ~Task() {
    if (task_ != nullptr) scsi_free_scsi_task(task_);
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  scsi_task* get() const { return task_; }
  bool good() const { return task_ != nullptr && task_->status == SCSI_STATUS_GOOD; }

 private:
  scsi_task* task_;
};

// Why a command failed: the target's sense data, else the library's words.
std::string task_failure(const Context& context, const Task& task) {
  if (task.get() != nullptr && task.get()->status == SCSI_STATUS_CHECK_CONDITION) {
    return std::string(scsi_sense_key_str(task.get()->sense.key)) + " (" +
           scsi_sense_ascq_str(task.get()->sense.ascq) + ")";
  }
  return context.error();
}

class IscsiVolume final : public NetworkVolume {
 public:
  IscsiVolume(std::string name, std::unique_ptr<Context> context, int lun, uint64_t blocks,
              uint32_t block_bytes)
      : NetworkVolume(std::move(name), blocks * block_bytes),
        context_(std::move(context)),
        lun_(lun),
        block_bytes_(block_bytes) {}

 private:
  // READ(16) reads whole blocks: read those that hold the range, keep the range.
  void read_within(uint64_t offset, std::span<uint8_t> into) override {
    uint64_t at = offset;
    size_t done = 0;
    while (done < into.size()) {
      const uint64_t first_block = at / block_bytes_;
      const uint64_t skip = at % block_bytes_;
      const uint64_t want = std::min<uint64_t>(into.size() - done, kMaxReadBytes);
      const uint64_t blocks = (skip + want + block_bytes_ - 1) / block_bytes_;
      const auto bytes = static_cast<uint32_t>(blocks * block_bytes_);
      Task task(iscsi_read16_sync(context_->get(), lun_, first_block, bytes,
                                  static_cast<int>(block_bytes_), 0, 0, 0, 0, 0));
      if (!task.good() || task.get()->datain.size < static_cast<int>(skip + want)) {
        throw Error(ErrorKind::not_found,
                    name() + ": reading " + std::to_string(into.size()) + " bytes at offset " +
                        std::to_string(offset) + " failed: " +
                        (task.good() ? std::string("the target sent too few bytes")
                                     : task_failure(*context_, task)));
      }
      std::memcpy(into.data() + done, task.get()->datain.data + skip, want);
      done += want;
      at += want;
    }
  }

  std::unique_ptr<Context> context_;
  int lun_;
  uint64_t block_bytes_;
};

// Splits "IQN/LUN" at its last '/'.
std::pair<std::string, int> target_and_lun(const NetworkSource& source) {
  const auto slash = source.name.rfind('/');
  if (slash != std::string::npos && slash + 1 < source.name.size()) {
    const std::string lun = source.name.substr(slash + 1);
    if (lun.size() <= 5 &&
        std::all_of(lun.begin(), lun.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return {source.name.substr(0, slash), std::stoi(lun)};
    }
  }
  throw_network_error(source, ErrorKind::usage, "the name is not IQN/LUN");
}

bool is_missing_lun(const Task& task) {
  return task.get() != nullptr && task.get()->status == SCSI_STATUS_CHECK_CONDITION &&
         task.get()->sense.key == SCSI_SENSE_ILLEGAL_REQUEST &&
         task.get()->sense.ascq == SCSI_SENSE_ASCQ_LOGICAL_UNIT_NOT_SUPPORTED;
}

bool is_unit_attention(const Task& task) {
  return task.get() != nullptr && task.get()->status == SCSI_STATUS_CHECK_CONDITION &&
         task.get()->sense.key == SCSI_SENSE_UNIT_ATTENTION;
}

}  // namespace

std::unique_ptr<NetworkVolume> open_iscsi_volume(const NetworkSource& source,
                                                 const NetworkCredentials& credentials) {
  const auto [target, lun] = target_and_lun(source);
  if (source.hosts.empty()) throw_network_error(source, ErrorKind::usage, "no portal");
  const std::string portal = host_and_port(source.hosts.front(), kIscsiPort);

  auto context = std::make_unique<Context>();
  if (context->get() == nullptr) {
    throw_network_error(source, ErrorKind::internal, "libiscsi cannot make a context");
  }
  iscsi_context* c = context->get();
  // Bounded: every PDU (login included) times out; a lost connection fails, never retries.
  iscsi_set_timeout(c, kNetworkTimeoutSeconds);
  iscsi_set_noautoreconnect(c, 1);
  iscsi_set_session_type(c, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(c, ISCSI_HEADER_DIGEST_NONE_CRC32C);
  if (iscsi_set_targetname(c, target.c_str()) != 0) {
    throw_network_error(source, ErrorKind::usage, "libiscsi refused the target name");
  }
  if (!source.auth_username.empty()) {
    // libvirt keeps a private secret's value from us; an empty CHAP password logs no one in.
    if (credentials.secret.empty()) {
      throw_network_error(source, ErrorKind::not_found,
                          "CHAP user '" + source.auth_username + "' has no password: its auth " +
                              "secret " + source.auth_secret_uuid +
                              " is private or holds no value, and volcrypt logs in to read " +
                              "the volume's header");
    }
    const SecureBytes password = secret_c_string(source, credentials.secret);
    if (iscsi_set_initiator_username_pwd(c, source.auth_username.c_str(),
                                         reinterpret_cast<const char*>(password.data())) != 0) {
      throw_network_error(source, ErrorKind::usage, "libiscsi refused the CHAP user");
    }
  }
  // Connect, log in and ask for the LUN's capacity one by one (what a full connect does)
  // so that each failure is told apart: libiscsi says nothing useful about a failed
  // TCP connect, hence no reason after it.
  if (iscsi_connect_sync(c, portal.c_str()) != 0) {
    throw_network_error(source, ErrorKind::not_found, "cannot reach the iSCSI portal " + portal);
  }
  if (iscsi_login_sync(c) != 0) {
    const std::string why = context->error();
    if (why.find("Target not found") != std::string::npos) {
      throw_network_error(source, ErrorKind::not_found, "no such target on portal " + portal);
    }
    if (why.find("Authentication failure") != std::string::npos) {
      throw_network_error(
          source, ErrorKind::not_found,
          source.auth_username.empty()
              ? "the iSCSI target " + target + " on portal " + portal +
                    " requires a CHAP login, and the volume names no CHAP user and secret"
              : "the iSCSI target " + target + " on portal " + portal + " refused CHAP user '" +
                    source.auth_username + "': the password in auth secret " +
                    source.auth_secret_uuid + " is not the one the target expects");
    }
    throw_network_error(source, ErrorKind::not_found,
                        "login to the iSCSI portal " + portal + " failed: " + why);
  }
  context->set_logged_in();

  // A fresh session first reports a unit attention (power on, reset): ask again.
  std::unique_ptr<Task> capacity;
  for (int attempt = 0; attempt < 3; ++attempt) {
    capacity = std::make_unique<Task>(iscsi_readcapacity16_sync(c, lun));
    if (!is_unit_attention(*capacity)) break;
  }
  if (is_missing_lun(*capacity)) throw_network_error(source, ErrorKind::not_found, "no such LUN");
  const auto* answer =
      capacity->good() ? static_cast<scsi_readcapacity16*>(scsi_datain_unmarshall(capacity->get()))
                       : nullptr;
  if (answer == nullptr || answer->block_length == 0) {
    throw_network_error(source, ErrorKind::not_found,
                        "cannot read the LUN's capacity: " + task_failure(*context, *capacity));
  }
  return std::make_unique<IscsiVolume>(network_source_name(source), std::move(context), lun,
                                       answer->returned_lba + 1, answer->block_length);
}

}  // namespace volcrypt

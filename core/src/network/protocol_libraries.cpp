// The network protocols' libraries (librbd and librados, libiscsi, libnbd), loaded on
// the first call into them rather than when volcrypt starts. Linked, they cost every
// process about 11 ms of CPU in the dynamic loader and Ceph's static constructors
// (tests/bench/README.md), though only network volumes and host-bench use them. Each
// function volcrypt calls is defined here under its own name with the library's own
// declaration, and forwards to the library's definition, found with dlsym.
#include <dlfcn.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <libnbd.h>
#include <rados/librados.h>
#include <rbd/librbd.h>

#include <string>
#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

// The library's own definition of symbol. The handle is the library's (RTLD_LOCAL), so
// the lookup never finds the forwarders below.
void* library_symbol(const char* library, const char* symbol) {
  void* handle = ::dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw Error(ErrorKind::internal,
                std::string("cannot load ") + library + ": " + (why ? why : "unknown error"));
  }
  void* found = ::dlsym(handle, symbol);
  if (found == nullptr) {
    throw Error(ErrorKind::internal,
                std::string(library) + " has no " + symbol + ": is it the version volcrypt needs?");
  }
  return found;
}

constexpr const char* kRados = "librados.so.2";
constexpr const char* kRbd = "librbd.so.1";
constexpr const char* kIscsi = "libiscsi.so.7";
constexpr const char* kNbd = "libnbd.so.0";

}  // namespace
}  // namespace volcrypt

// Defines NAME PARAMS as a call of the library's NAME with ARGS.
#define VOLCRYPT_FORWARD(LIBRARY, RESULT, NAME, PARAMS, ARGS)                                  \
  extern "C" RESULT NAME PARAMS {                                                              \
    static const auto real =                                                                   \
        reinterpret_cast<decltype(&NAME)>(volcrypt::library_symbol(volcrypt::LIBRARY, #NAME)); \
    return real ARGS;                                                                          \
  }

VOLCRYPT_FORWARD(kRados, int, rados_create2,
                 (rados_t * cluster, const char* const cluster_name, const char* const name,
                  uint64_t flags),
                 (cluster, cluster_name, name, flags))
VOLCRYPT_FORWARD(kRados, int, rados_conf_read_file, (rados_t cluster, const char* path),
                 (cluster, path))
VOLCRYPT_FORWARD(kRados, int, rados_conf_set,
                 (rados_t cluster, const char* option, const char* value), (cluster, option, value))
VOLCRYPT_FORWARD(kRados, int, rados_connect, (rados_t cluster), (cluster))
VOLCRYPT_FORWARD(kRados, int, rados_ioctx_create,
                 (rados_t cluster, const char* pool_name, rados_ioctx_t* ioctx),
                 (cluster, pool_name, ioctx))
VOLCRYPT_FORWARD(kRados, void, rados_ioctx_destroy, (rados_ioctx_t io), (io))
VOLCRYPT_FORWARD(kRados, void, rados_shutdown, (rados_t cluster), (cluster))

VOLCRYPT_FORWARD(kRbd, int, rbd_create,
                 (rados_ioctx_t io, const char* name, uint64_t size, int* order),
                 (io, name, size, order))
VOLCRYPT_FORWARD(kRbd, int, rbd_remove, (rados_ioctx_t io, const char* name), (io, name))
VOLCRYPT_FORWARD(kRbd, int, rbd_open,
                 (rados_ioctx_t io, const char* name, rbd_image_t* image, const char* snap_name),
                 (io, name, image, snap_name))
VOLCRYPT_FORWARD(kRbd, int, rbd_open_read_only,
                 (rados_ioctx_t io, const char* name, rbd_image_t* image, const char* snap_name),
                 (io, name, image, snap_name))
VOLCRYPT_FORWARD(kRbd, int, rbd_close, (rbd_image_t image), (image))
VOLCRYPT_FORWARD(kRbd, int, rbd_get_size, (rbd_image_t image, uint64_t* size), (image, size))
VOLCRYPT_FORWARD(kRbd, int, rbd_get_stripe_unit, (rbd_image_t image, uint64_t* stripe_unit),
                 (image, stripe_unit))
VOLCRYPT_FORWARD(kRbd, int, rbd_get_stripe_count, (rbd_image_t image, uint64_t* stripe_count),
                 (image, stripe_count))
VOLCRYPT_FORWARD(kRbd, int, rbd_flush, (rbd_image_t image), (image))
VOLCRYPT_FORWARD(kRbd, int, rbd_invalidate_cache, (rbd_image_t image), (image))
VOLCRYPT_FORWARD(kRbd, ssize_t, rbd_read2,
                 (rbd_image_t image, uint64_t ofs, size_t len, char* buf, int op_flags),
                 (image, ofs, len, buf, op_flags))
VOLCRYPT_FORWARD(kRbd, ssize_t, rbd_write2,
                 (rbd_image_t image, uint64_t ofs, size_t len, const char* buf, int op_flags),
                 (image, ofs, len, buf, op_flags))
VOLCRYPT_FORWARD(kRbd, int, rbd_encryption_format,
                 (rbd_image_t image, rbd_encryption_format_t format, rbd_encryption_options_t opts,
                  size_t opts_size),
                 (image, format, opts, opts_size))
VOLCRYPT_FORWARD(kRbd, int, rbd_encryption_load,
                 (rbd_image_t image, rbd_encryption_format_t format, rbd_encryption_options_t opts,
                  size_t opts_size),
                 (image, format, opts, opts_size))

VOLCRYPT_FORWARD(kIscsi, struct iscsi_context*, iscsi_create_context, (const char* initiator_name),
                 (initiator_name))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_destroy_context, (struct iscsi_context * iscsi), (iscsi))
VOLCRYPT_FORWARD(kIscsi, const char*, iscsi_get_error, (struct iscsi_context * iscsi), (iscsi))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_connect_sync,
                 (struct iscsi_context * iscsi, const char* portal), (iscsi, portal))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_login_sync, (struct iscsi_context * iscsi), (iscsi))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_logout_sync, (struct iscsi_context * iscsi), (iscsi))
VOLCRYPT_FORWARD(kIscsi, struct scsi_task*, iscsi_read16_sync,
                 (struct iscsi_context * iscsi, int lun, uint64_t lba, uint32_t datalen,
                  int blocksize, int rdprotect, int dpo, int fua, int fua_nv, int group_number),
                 (iscsi, lun, lba, datalen, blocksize, rdprotect, dpo, fua, fua_nv, group_number))
VOLCRYPT_FORWARD(kIscsi, struct scsi_task*, iscsi_readcapacity16_sync,
                 (struct iscsi_context * iscsi, int lun), (iscsi, lun))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_set_header_digest,
                 (struct iscsi_context * iscsi, enum iscsi_header_digest header_digest),
                 (iscsi, header_digest))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_set_initiator_username_pwd,
                 (struct iscsi_context * iscsi, const char* user, const char* passwd),
                 (iscsi, user, passwd))
VOLCRYPT_FORWARD(kIscsi, void, iscsi_set_noautoreconnect, (struct iscsi_context * iscsi, int state),
                 (iscsi, state))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_set_session_type,
                 (struct iscsi_context * iscsi, enum iscsi_session_type session_type),
                 (iscsi, session_type))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_set_targetname,
                 (struct iscsi_context * iscsi, const char* targetname), (iscsi, targetname))
VOLCRYPT_FORWARD(kIscsi, int, iscsi_set_timeout, (struct iscsi_context * iscsi, int timeout),
                 (iscsi, timeout))
VOLCRYPT_FORWARD(kIscsi, void*, scsi_datain_unmarshall, (struct scsi_task * task), (task))
VOLCRYPT_FORWARD(kIscsi, void, scsi_free_scsi_task, (struct scsi_task * task), (task))
VOLCRYPT_FORWARD(kIscsi, const char*, scsi_sense_key_str, (int key), (key))
VOLCRYPT_FORWARD(kIscsi, const char*, scsi_sense_ascq_str, (int ascq), (ascq))

VOLCRYPT_FORWARD(kNbd, struct nbd_handle*, nbd_create, (void), ())
VOLCRYPT_FORWARD(kNbd, void, nbd_close, (struct nbd_handle * h), (h))
VOLCRYPT_FORWARD(kNbd, int, nbd_get_errno, (void), ())
VOLCRYPT_FORWARD(kNbd, const char*, nbd_get_error, (void), ())
VOLCRYPT_FORWARD(kNbd, int64_t, nbd_get_size, (struct nbd_handle * h), (h))
VOLCRYPT_FORWARD(kNbd, int, nbd_poll, (struct nbd_handle * h, int timeout), (h, timeout))
VOLCRYPT_FORWARD(kNbd, int, nbd_set_export_name, (struct nbd_handle * h, const char* export_name),
                 (h, export_name))
VOLCRYPT_FORWARD(kNbd, int, nbd_aio_connect_tcp,
                 (struct nbd_handle * h, const char* hostname, const char* port),
                 (h, hostname, port))
VOLCRYPT_FORWARD(kNbd, int, nbd_aio_is_connecting, (struct nbd_handle * h), (h))
VOLCRYPT_FORWARD(kNbd, int, nbd_aio_is_ready, (struct nbd_handle * h), (h))
VOLCRYPT_FORWARD(kNbd, int, nbd_aio_command_completed, (struct nbd_handle * h, uint64_t cookie),
                 (h, cookie))
VOLCRYPT_FORWARD(kNbd, int64_t, nbd_aio_pread,
                 (struct nbd_handle * h, void* buf, size_t count, uint64_t offset,
                  nbd_completion_callback completion_callback, uint32_t flags),
                 (h, buf, count, offset, completion_callback, flags))

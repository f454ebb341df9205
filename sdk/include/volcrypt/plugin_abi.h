/*
 * volcrypt plugin ABI: the only contract between the volcrypt core (the host)
 * and an encryptor plugin. Plain C so that a vendor needs neither our compiler
 * flags nor Boost nor libvirt.
 *
 * Versioning: a plugin built for ABI MAJOR.MINOR loads in a host whose major is
 * equal and whose minor is >= the plugin's minor. A major version may change anything.
 *
 * How a minor version grows the ABI (one rule, for every addition from 1.4 on):
 * APPEND, AND CHECK BEFORE YOU READ.
 *   - A new field or a new host service (a function pointer taking volcrypt_error* last)
 *     is appended to the end of a struct that starts with struct_size; whoever reads it
 *     checks VOLCRYPT_HAS_FIELD on the other side's struct first. Nothing is ever
 *     removed, reordered or retyped, and no function gets a second version.
 *   - A new value (a rank, a flag bit, an enum value) means what it means only to a side
 *     that was built for the minor that added it: the host reads it from a plugin whose
 *     abi_minor is at least that minor, and a plugin from a host whose abi_minor is.
 * Older additions kept their own ways for the plugins built against them, and stay:
 * volcrypt_key and volcrypt_error have no struct_size (their later fields exist when
 * host->abi_minor says so: volcrypt_key's 1.1 fields when host->abi_minor >= 1), and 1.1
 * added the attachment services a second time with an error (the ones ending in 2).
 *
 * 1.1 (appended to 1.0): volcrypt_volume.key_facts, volcrypt_key.facts/raw_data/raw_size,
 * the VOLCRYPT_KEY_FACT_* bits, and the attachment services that fill *error
 * (attachment_set_source2, attachment_set_native_encryption2, attachment_set_state2).
 *
 * 1.2 (appended to 1.1): volcrypt_plugin.resize, so that `volcrypt extend` can grow the
 * host device (e.g. a dm-crypt mapping) a plugin made when its volume grew.
 *
 * 1.3 (appended to 1.2): the measured throughput figures in volcrypt_host_facts
 * (`volcrypt host-bench`) and volcrypt_plugin.expected_throughput, so that a deployer who
 * prefers throughput can rank a faster data path first.
 *
 * 1.4 (appended to 1.3): network volumes. VOLCRYPT_SOURCE_NETWORK,
 * volcrypt_volume.network_protocol and attach_flags, volcrypt_disk.network_protocol and
 * encryption_engine, the host services attachment_set_encryption_engine,
 * check_passphrase and format_volume, volcrypt_host_facts.librbd_luks_read_bytes_per_second,
 * and VOLCRYPT_RANK_ON_REQUEST.
 *
 * 1.5 (appended to 1.4): VOLCRYPT_CAPABILITY_REKEY, so that `volcrypt rekey` changes the key
 * slots of only the attachments whose plugin says that is safe.
 *
 * Lifetime: the plugin's shared object stays loaded for the life of the host process.
 * Every string the host passes is UTF-8, NUL-terminated and valid only during the call.
 */
#ifndef VOLCRYPT_PLUGIN_ABI_H
#define VOLCRYPT_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VOLCRYPT_ABI_MAJOR 1u
#define VOLCRYPT_ABI_MINOR 5u

/* Whether a struct filled by the other side has FIELD. Every struct starts with
 * struct_size and a minor version only appends fields, so a field exists when it ends
 * within struct_size. Host and plugins both use this one rule. */
#define VOLCRYPT_HAS_FIELD(pointer, type, field) \
  ((pointer)->struct_size >= offsetof(type, field) + sizeof(((const type*)0)->field))

/* The two exported symbols every plugin has. The loader reads the data symbol
 * (the plugin's ABI version) before it calls any plugin code. */
#define VOLCRYPT_PLUGIN_ABI_SYMBOL "volcrypt_plugin_abi"
#define VOLCRYPT_PLUGIN_ENTRY_SYMBOL "volcrypt_plugin_entry"

/* GStreamer-style ranks. NONE is never chosen automatically. */
#define VOLCRYPT_RANK_NONE 0
/* ABI 1.4: the plugin serves this volume but only when asked for by name: the deployer
 * pinned it for the provider (pin = PROVIDER:ID) or the caller forced it (--plugin ID).
 * Never chosen automatically, never moved up by prefer = throughput. The host reads it so
 * only from a plugin built for 1.4 or later (which older hosts do not load); from an older
 * plugin, 1 stays an ordinary rank just above NONE. */
#define VOLCRYPT_RANK_ON_REQUEST 1
#define VOLCRYPT_RANK_MARGINAL 64
#define VOLCRYPT_RANK_SECONDARY 128
#define VOLCRYPT_RANK_PRIMARY 256

typedef enum volcrypt_status {
  VOLCRYPT_OK = 0,
  VOLCRYPT_ERROR_FAILED = 1,        /* anything not covered below */
  VOLCRYPT_ERROR_WRONG_KEY = 2,     /* the passphrase does not open the volume */
  VOLCRYPT_ERROR_NOT_SUPPORTED = 3, /* this plugin cannot serve this request */
  VOLCRYPT_ERROR_BUSY = 4,          /* e.g. a mapping still in use */
  VOLCRYPT_ERROR_INVALID = 5,       /* bad argument or state */
  VOLCRYPT_ERROR_NOT_FOUND = 6,     /* e.g. no secret with that usage id */
  VOLCRYPT_ERROR_REFUSED_DATA = 7   /* the volume holds data that is not ours to touch */
} volcrypt_status;

/* A host-allocated buffer the plugin writes a one-line, NUL-terminated message into. */
typedef struct volcrypt_error {
  char* message;
  size_t capacity;
} volcrypt_error;

typedef enum volcrypt_log_level {
  VOLCRYPT_LOG_DEBUG = 0,
  VOLCRYPT_LOG_INFO = 1,
  VOLCRYPT_LOG_WARNING = 2,
  VOLCRYPT_LOG_ERROR = 3
} volcrypt_log_level;

/* What the first bytes of the volume hold, as read by the host. */
typedef enum volcrypt_header_kind {
  VOLCRYPT_HEADER_UNKNOWN = 0, /* not read (e.g. unreadable) */
  VOLCRYPT_HEADER_LUKS1 = 1,
  VOLCRYPT_HEADER_LUKS2 = 2,
  VOLCRYPT_HEADER_BLANK = 3, /* all zero in the first 4 MiB, or shorter and all zero */
  VOLCRYPT_HEADER_OTHER = 4  /* data that is not LUKS */
} volcrypt_header_kind;

typedef enum volcrypt_source_kind {
  VOLCRYPT_SOURCE_FILE = 0,
  VOLCRYPT_SOURCE_BLOCK = 1,
  /* ABI 1.4: a network volume QEMU reaches itself (Ceph RBD, iSCSI, NBD); the source path
   * is its name: rbd:POOL/IMAGE, iscsi://HOST[:PORT]/IQN/LUN, nbd://HOST[:PORT]/EXPORT. */
  VOLCRYPT_SOURCE_NETWORK = 2
} volcrypt_source_kind;

/* Facts about this host, gathered by the host once per command. Versions are
 * encoded as major * 1000000 + minor * 1000 + micro, as libvirt does. */
typedef struct volcrypt_host_facts {
  uint32_t struct_size;
  const char* hypervisor_type; /* virConnectGetType(), e.g. "QEMU" */
  uint64_t hypervisor_version; /* 0 if unknown */
  uint64_t libvirt_version;    /* the libvirt library version */
  int32_t has_device_mapper;   /* the running kernel has device-mapper */
  int32_t has_dm_crypt;        /* the kernel offers the crypt target */
  /* ABI 1.3: what `volcrypt host-bench` measured on this host, in bytes per second; 0 when
   * not measured (no cache, or figures taken with another kernel, QEMU or libvirt). */
  uint64_t cpu_aes_xts_bytes_per_second;    /* AES-256-XTS in one thread (OpenSSL) */
  uint64_t qemu_luks_read_bytes_per_second; /* QEMU's native LUKS, reading */
  uint64_t dm_crypt_bytes_per_second;       /* the kernel's aes-xts-plain64 (dm-crypt's) */
  /* ABI 1.4: librbd reading a LUKS1 RBD image (engine='librbd'); 0 when not measured
   * (host-bench was given no RBD pool, or could not use it). */
  uint64_t librbd_luks_read_bytes_per_second;
} volcrypt_host_facts;

/* The volume a request is about. */
typedef struct volcrypt_volume {
  uint32_t struct_size;
  const char* source_path; /* file or block device */
  uint32_t source_kind;    /* volcrypt_source_kind */
  const char* volume_id;   /* the cloud's volume id; the secret's usage id */
  const char* provider;    /* canonical: "luks", "luks2", "plain" for any of their Nova/os-brick
                              class names too; any other name as the caller gave it */
  const char* cipher;      /* e.g. "aes-xts-plain64"; NULL or "" = plugin default */
  uint32_t key_size_bits;  /* 0 = plugin default */
  uint32_t header_kind;    /* volcrypt_header_kind */
  /* ABI 1.1: what the host knows about the key, never the key itself:
   * VOLCRYPT_KEY_FACT_* bits. 0 when no key is known (e.g. `volcrypt probe` without a
   * key option), so probe must not refuse a volume for a key it has not seen. */
  uint32_t key_facts;
  /* ABI 1.4: for VOLCRYPT_SOURCE_NETWORK, libvirt's protocol: "rbd", "iscsi" or "nbd"
   * (source_path is then the volume's name, not a path); NULL for a file or block device.
   * The host reads the header through the protocol's own library as it does for files. */
  const char* network_protocol;
  /* ABI 1.4: the VOLCRYPT_PREPARE_LIVE / VOLCRYPT_PREPARE_CONFIG flags of the attach this
   * probe ranks for; 0 when not known (`volcrypt probe`): then rank as for any attach. A
   * plugin that cannot serve a live attach ranks NONE when LIVE is set, saying why. */
  uint32_t attach_flags;
} volcrypt_volume;

/* Key facts (volcrypt_volume.key_facts and volcrypt_key.facts, ABI 1.1). */
/* The host knows the key for this request; without this bit the others mean nothing. */
#define VOLCRYPT_KEY_FACT_KNOWN 0x1u
/* The passphrase bytes are valid UTF-8 and hold no NUL byte: what GLib's
 * g_utf8_validate accepts, so QEMU can take them from a libvirt secret (QEMU refuses
 * others: "Data from secret ... is not valid UTF-8"). */
#define VOLCRYPT_KEY_FACT_UTF8 0x2u
/* The passphrase bytes are the lowercase hex of a raw key (`--key-file`, as Nova and
 * os-brick make a passphrase from a key). Without this bit they are the bytes exactly as
 * the operator gave them (`--passphrase-file`). */
#define VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY 0x4u

/* One key/value pair of a plugin's own small state, kept in the record. */
typedef struct volcrypt_state_entry {
  const char* key;
  const char* value;
} volcrypt_state_entry;

typedef struct volcrypt_state {
  const volcrypt_state_entry* entries;
  size_t count;
} volcrypt_state;

/* Plugin capabilities (volcrypt_plugin.capabilities). */
/* The plugin makes a host device (e.g. a dm-crypt mapping) that must exist before a
 * persistent domain starts: `volcrypt prepare` re-opens it (prepare with the recorded
 * state as `previous` and VOLCRYPT_PREPARE_REOPEN) and `volcrypt release` closes it,
 * keeping the record. Plugins without it hold nothing on the host between boots. */
#define VOLCRYPT_CAPABILITY_HOST_DEVICE 0x1u
/* ABI 1.5: the volume's LUKS header stays at the volume's source path (a file or host
 * block device) while attached, and the passphrase, if held anywhere, is in the libvirt
 * secret named by this plugin's state "secret-uuid": `volcrypt rekey` may then change
 * its key slots with libcryptsetup and that secret's value. Read only from a plugin
 * built for 1.5 or later. */
#define VOLCRYPT_CAPABILITY_REKEY 0x2u

/* Request flags for prepare. */
#define VOLCRYPT_PREPARE_LIVE 0x1u   /* the hypervisor opens the volume right after prepare */
#define VOLCRYPT_PREPARE_CONFIG 0x2u /* the disk goes into the persistent definition */
#define VOLCRYPT_PREPARE_REOPEN 0x4u /* re-open what the recorded state describes */

/* Opaque, host-owned: the plugin describes the guest disk through host services. */
typedef struct volcrypt_attachment volcrypt_attachment;

/* Services the host offers to a plugin. Plugins never call libvirt themselves.
 * log and facts cannot fail and return nothing to check. The secret services and the
 * 1.1 attachment services (the ones ending in 2) return a volcrypt_status and, on
 * failure, fill *error. The 1.0 attachment services return a status only; they stay
 * for plugins built against 1.0. */
typedef struct volcrypt_host {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  void* context; /* pass back as the first argument of every service */

  void (*log)(void* context, int32_t level, const char* message);
  const volcrypt_host_facts* (*facts)(void* context);

  /* libvirt secrets: private, usage type "volume", usage id = volume id.
   * uuid_out must hold 37 bytes. secret_define returns VOLCRYPT_ERROR_BUSY when a
   * secret of that usage exists that is not volcrypt's (never overwritten): pass it on. */
  int32_t (*secret_define)(void* context, const char* usage_id, const uint8_t* value,
                           size_t value_size, char* uuid_out, volcrypt_error* error);
  int32_t (*secret_lookup)(void* context, const char* usage_id, char* uuid_out,
                           volcrypt_error* error);
  int32_t (*secret_undefine)(void* context, const char* uuid, volcrypt_error* error);

  /* The disk the guest will see. A plugin's prepare must call set_source once. */
  int32_t (*attachment_set_source)(volcrypt_attachment* attachment, uint32_t source_kind,
                                   const char* path);
  /* QEMU decrypts natively: <encryption format=FORMAT><secret uuid=SECRET_UUID/>. */
  int32_t (*attachment_set_native_encryption)(volcrypt_attachment* attachment, const char* format,
                                              const char* secret_uuid);
  /* Small state kept in the record and handed back to release (and to a later
   * prepare of the same volume). Keys are [a-z0-9-]+. */
  int32_t (*attachment_set_state)(volcrypt_attachment* attachment, const char* key,
                                  const char* value);

  /* ABI 1.1: the three attachment services above, which on refusal also say why in
   * *error (e.g. "state key 'Bad Key' is not [a-z0-9-]+"). Check with
   * VOLCRYPT_HAS_FIELD(host, volcrypt_host, attachment_set_state2) before calling. */
  int32_t (*attachment_set_source2)(volcrypt_attachment* attachment, uint32_t source_kind,
                                    const char* path, volcrypt_error* error);
  int32_t (*attachment_set_native_encryption2)(volcrypt_attachment* attachment, const char* format,
                                               const char* secret_uuid, volcrypt_error* error);
  int32_t (*attachment_set_state2)(volcrypt_attachment* attachment, const char* key,
                                   const char* value, volcrypt_error* error);

  /* ABI 1.4: who decrypts the native encryption set above: "qemu" (QEMU's block layer;
   * the default when this is never called) or "librbd" (librbd inside QEMU, rbd volumes
   * only): libvirt's <encryption engine=...>. */
  int32_t (*attachment_set_encryption_engine)(volcrypt_attachment* attachment, const char* engine,
                                              volcrypt_error* error);
  /* ABI 1.4, during prepare only: whether the passphrase opens a key slot of the LUKS1 or
   * LUKS2 header of the volume being prepared, read by the host wherever the volume lives
   * (a file, a block device, a network volume: no plugin needs a protocol's library).
   * VOLCRYPT_OK: it opens one; VOLCRYPT_ERROR_WRONG_KEY: none opens; anything else: it
   * could not be checked (*error says why). Changes nothing. */
  int32_t (*check_passphrase)(void* context, const uint8_t* passphrase, size_t passphrase_size,
                              volcrypt_error* error);
  /* ABI 1.4, during prepare only: formats the blank volume being prepared as LUKS with one
   * key slot for passphrase, with the storage's own encryption format: for an RBD image,
   * librbd's (what `rbd encryption format` writes), so no plugin needs a protocol's
   * library. format: "luks" (LUKS1) or "luks2"; cipher NULL or "" and key_size_bits 0 mean
   * aes-xts-plain64 with a 512-bit key (AES-256). The host re-reads the volume first:
   * VOLCRYPT_ERROR_REFUSED_DATA when it is not blank (nothing written);
   * VOLCRYPT_ERROR_NOT_SUPPORTED for a volume the host does not format (anything but an RBD
   * image) and outside prepare; VOLCRYPT_ERROR_INVALID for a cipher or key size the
   * storage's format cannot take (nothing written). */
  int32_t (*format_volume)(void* context, const char* format, const char* cipher,
                           uint32_t key_size_bits, const uint8_t* passphrase,
                           size_t passphrase_size, volcrypt_error* error);
} volcrypt_host;

/* ABI 1.1. A disk found in a domain with no volcrypt record for it (attached before
 * volcrypt, e.g. by Nova or os-brick), as the host read it from the domain's disk XML. */
typedef struct volcrypt_disk {
  uint32_t struct_size;
  const char* source_path;       /* <source file=...> or <source dev=...>; "" when none */
  uint32_t source_kind;          /* volcrypt_source_kind: <source file> or <source dev> */
  const char* encryption_format; /* <encryption format=...>, e.g. "luks"; NULL when none */
  const char* secret_uuid;       /* that encryption's <secret uuid=...>; NULL when none */
  const char* serial;            /* <serial> (Nova sets the volume id); "" when none */
  /* ABI 1.4: for a <disk type='network'> (source_kind VOLCRYPT_SOURCE_NETWORK, source_path
   * its name), its protocol ("rbd", "iscsi", "nbd"); NULL otherwise. */
  const char* network_protocol;
  /* ABI 1.4: <encryption engine=...> ("qemu", "librbd"); NULL when not written. */
  const char* encryption_engine;
} volcrypt_disk;

/* The key; the host keeps its bytes in locked memory and wipes them after the call.
 * No struct_size: the 1.1 fields exist when host->abi_minor >= 1. */
typedef struct volcrypt_key {
  /* The passphrase bytes that unlock the volume (unchanged since 1.0): the lowercase hex
   * of the raw key for `--key-file`, the bytes as given for `--passphrase-file`. */
  const uint8_t* data;
  size_t size;
  /* ABI 1.1: VOLCRYPT_KEY_FACT_* bits about data (KNOWN is always set). */
  uint32_t facts;
  /* ABI 1.1: the raw key itself when facts has VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY
   * (data is its hex); otherwise NULL and 0. */
  const uint8_t* raw_data;
  size_t raw_size;
} volcrypt_key;

typedef struct volcrypt_plugin {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* id;               /* [a-z0-9-]+, unique among loaded plugins */
  const char* version;          /* the plugin's own version, e.g. "1.2.0" */
  const char* summary;          /* one line */
  const char* const* providers; /* NULL-terminated list of provider names served */

  /* How well can this plugin serve the volume on this host? Writes a one-line reason
   * and returns a rank >= 0, or a negative value when probing itself failed (then
   * *error says why). Must not change anything. */
  int32_t (*probe)(const volcrypt_host* host, const volcrypt_volume* volume, char* reason,
                   size_t reason_capacity, volcrypt_error* error);

  /* Makes the volume ready for the guest (e.g. defines a secret, opens a mapping) and
   * describes the disk through the attachment services. previous is the state of an
   * earlier attach of the same volume (empty on a first attach). On failure the
   * plugin leaves nothing behind. */
  int32_t (*prepare)(const volcrypt_host* host, const volcrypt_volume* volume,
                     const volcrypt_key* key, const volcrypt_state* previous, uint32_t flags,
                     volcrypt_attachment* attachment, volcrypt_error* error);

  /* Undoes prepare once the guest no longer uses the disk. Idempotent: releasing what
   * is already gone succeeds. */
  int32_t (*release)(const volcrypt_host* host, const volcrypt_state* state, volcrypt_error* error);

  uint32_t capabilities; /* VOLCRYPT_CAPABILITY_* bits */

  /* ABI 1.1, optional (NULL, or absent from a 1.0 descriptor: the plugin claims no disk).
   * Detach of a disk with no record asks each plugin whether it (or the tool it replaces,
   * e.g. Nova or os-brick) set that disk up. Returns 0 when the disk is not this
   * plugin's, a rank > 0 saying how sure the claim is (the highest claim wins, ties by
   * id), or a negative value when looking failed (then *error says why). On a claim it
   * writes a one-line reason (shown to the user) and hands the state its release needs
   * through host->attachment_set_state(claim, key, value); the host ignores anything
   * else set on claim. Must not change anything. Runs in a helper process; the host's
   * facts then hold only the kernel's (device-mapper, dm-crypt), and secrets refuse. */
  int32_t (*claims_disk)(const volcrypt_host* host, const volcrypt_disk* disk,
                         volcrypt_attachment* claim, char* reason, size_t reason_capacity,
                         volcrypt_error* error);

  /* ABI 1.2, optional (NULL, or absent from an older descriptor: the plugin cannot
   * extend; `volcrypt extend` then refuses, naming the plugin, and changes nothing).
   * Only plugins with VOLCRYPT_CAPABILITY_HOST_DEVICE are asked: the disk of any other
   * plugin is the volume itself, whose new size the host works out from its header.
   * The volume that prepare opened with this state grew: make the host device prepare
   * made follow it, so that it covers new_volume_size bytes of volume (a multiple of
   * 512, never more than the volume holds). Writes into *disk_size the size in bytes
   * of the device the guest gets once done, or 0 when that device is not open (then the
   * next prepare opens it at the volume's new size and there is nothing to do now).
   * Idempotent: a device already that large is left as it is. Refuses with
   * VOLCRYPT_ERROR_INVALID, changing nothing, when the device would shrink, and with
   * VOLCRYPT_ERROR_NOT_SUPPORTED when it cannot resize at all. */
  int32_t (*resize)(const volcrypt_host* host, const volcrypt_state* state,
                    uint64_t new_volume_size, uint64_t* disk_size, volcrypt_error* error);

  /* ABI 1.3, optional (NULL, or absent from an older descriptor: unknown). The read
   * throughput in bytes per second the guest can expect from this plugin's data path for
   * this volume on this host, e.g. from the host-bench figures in host->facts(); 0 when
   * unknown. The host asks right after a probe that ranked above NONE; it only matters
   * when the deployer set `prefer = throughput`. Must not change anything. */
  uint64_t (*expected_throughput)(const volcrypt_host* host, const volcrypt_volume* volume);
} volcrypt_plugin;

/* What a plugin exports. */
typedef struct volcrypt_plugin_abi_version {
  uint32_t major;
  uint32_t minor;
} volcrypt_plugin_abi_version;

typedef const volcrypt_plugin* (*volcrypt_plugin_entry_fn)(uint32_t host_abi_major,
                                                           uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif

#endif /* VOLCRYPT_PLUGIN_ABI_H */

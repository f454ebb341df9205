/* libvolcrypt: volcrypt's commands for programs that run them in their own process,
 * such as compute agents. The same commands as the volcrypt program (one command table
 * serves both): a call takes the command's options as a JSON object named as on the
 * command line and returns the JSON document `volcrypt --json COMMAND` prints.
 *
 * Stable C API: within SONAME libvolcrypt.so.0 calls and structs only grow, and a struct
 * the caller fills starts with struct_size (set it to sizeof) so that a newer library
 * reads an older caller's struct. Link with `pkg-config --cflags --libs volcrypt`.
 *
 * Threads: a handle may be shared between threads; its calls run one at a time, in the
 * order they take its lock. For calls that run in parallel open one handle per thread:
 * handles, like volcrypt processes, take the same per-domain locks. */
#ifndef VOLCRYPT_VOLCRYPT_H
#define VOLCRYPT_VOLCRYPT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An open connection to one libvirt daemon with volcrypt's settings and plugins. */
typedef struct volcrypt_handle volcrypt_handle;

/* What a failed call says: the volcrypt program's exit code for it (1 unexpected,
 * 2 usage, 3 not found, 4 wrong passphrase, 5 refused data, 6 no plugin, 7 busy,
 * 8 plugin failed, 9 libvirt refused, 10 internal, 11 check or recover found
 * inconsistencies), its kind as `--json` names it ("usage", "not_found", ...,
 * "inconsistent", "unexpected"), and the message the program prints, cut to fit. */
typedef struct volcrypt_outcome {
  int exit_code;
  char kind[32];
  char message[2048];
} volcrypt_outcome;

enum volcrypt_key_input_kind {
  VOLCRYPT_KEY_INPUT_NONE = 0,
  VOLCRYPT_KEY_INPUT_RAW = 1, /* raw key bytes; the passphrase is their lowercase hex (Nova) */
  VOLCRYPT_KEY_INPUT_PASSPHRASE = 2, /* the passphrase bytes as they are */
};

/* A key handed over in memory: `bytes` (size bytes) are copied into the library's locked
 * memory before the call does anything, so the caller may wipe its copy when the call
 * returns. With bytes NULL, the key is read from the open file descriptor `fd` to its end
 * (at most 64 KiB); the library does not close it. */
typedef struct volcrypt_key_input {
  size_t struct_size;
  int kind; /* enum volcrypt_key_input_kind */
  const void* bytes;
  size_t size;
  int fd;
} volcrypt_key_input;

/* Receives what the program logs with -v (level 1 info, 2 warning, 3 error) or -vv
 * (0 debug), and the warnings it prints on standard error; on the calling thread. */
typedef void (*volcrypt_log_fn)(void* user_data, int level, const char* message);

typedef struct volcrypt_open_options {
  size_t struct_size;
  const char* uri;                /* NULL: the config's connect, else qemu:///system */
  const char* config_file;        /* NULL: /etc/volcrypt/volcrypt.conf when it exists */
  const char* const* plugin_dirs; /* NULL-terminated, searched first; NULL: none */
  volcrypt_log_fn log;            /* NULL: nothing is logged */
  void* log_user_data;
  int log_level; /* the lowest level passed to log (0 debug ... 3 errors only) */
} volcrypt_open_options;

/* One call's arguments. */
typedef struct volcrypt_request {
  size_t struct_size;
  /* The command's options as a JSON object, named as on the command line without the
   * dashes: {"domain": "vm1", "target": "sdb", "source": "/v.img", "volume-id": "v1",
   * "provider": "luks", "live": true}. A switch is true (false or null: not given), a
   * repeatable option an array. NULL: no options. */
  const char* options_json;
  const volcrypt_key_input* key; /* the key, instead of "key-file" or "passphrase-file"; or NULL */
  /* What "-" names in an option that reads a file ("batch", "volume-json",
   * "domain-xml"), as the program reads standard input; NULL: none. */
  const char* input;
  size_t input_size;
  /* volcrypt_rekey's new key, instead of "new-key-file" or "new-passphrase-file"; or NULL.
   * Appended: read only when struct_size reaches it. */
  const volcrypt_key_input* new_key;
} volcrypt_request;

/* Opens a handle: reads the config as the program does (finding the plugins and
 * connecting to libvirt wait for the first call that needs them; both are kept for the
 * handle's life). Returns 0, or the exit code with *outcome filled and *handle NULL.
 * options may be NULL (all defaults). */
int volcrypt_open(const volcrypt_open_options* options, volcrypt_handle** handle,
                  volcrypt_outcome* outcome);
/* Closes the connection and frees the handle; NULL is ignored. */
void volcrypt_close(volcrypt_handle* handle);

/* Runs one command. Returns its exit code: 0 with *result_json the JSON document (free it
 * with volcrypt_free); else *outcome says what went wrong, and *result_json is NULL, or
 * the document when the command still printed one (check and recover with 11, a batch
 * in which some requests failed: each request's outcome is in it). outcome may be NULL. */
int volcrypt_call(volcrypt_handle* handle, const char* command, const volcrypt_request* request,
                  char** result_json, volcrypt_outcome* outcome);

/* The commands, by name (volcrypt_host_bench runs "host-bench", volcrypt_migrate_prepare
 * "migrate-prepare", ...): each is volcrypt_call with that command. A batch is attach or
 * detach with the option "batch": "-" and the batch's JSON array as the input. */
int volcrypt_plugins(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                     volcrypt_outcome* outcome);
int volcrypt_probe(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                   volcrypt_outcome* outcome);
int volcrypt_host_bench(volcrypt_handle* handle, const volcrypt_request* request,
                        char** result_json, volcrypt_outcome* outcome);
int volcrypt_attach(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                    volcrypt_outcome* outcome);
int volcrypt_detach(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                    volcrypt_outcome* outcome);
int volcrypt_extend(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                    volcrypt_outcome* outcome);
/* key: the current key, new_key: the new one (or their options, as the program's). */
int volcrypt_rekey(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                   volcrypt_outcome* outcome);
int volcrypt_list(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                  volcrypt_outcome* outcome);
int volcrypt_prepare(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                     volcrypt_outcome* outcome);
int volcrypt_release(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                     volcrypt_outcome* outcome);
int volcrypt_start(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                   volcrypt_outcome* outcome);
int volcrypt_check(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                   volcrypt_outcome* outcome);
int volcrypt_recover(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                     volcrypt_outcome* outcome);
int volcrypt_migrate(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                     volcrypt_outcome* outcome);
int volcrypt_migrate_prepare(volcrypt_handle* handle, const volcrypt_request* request,
                             char** result_json, volcrypt_outcome* outcome);
int volcrypt_migrate_finish(volcrypt_handle* handle, const volcrypt_request* request,
                            char** result_json, volcrypt_outcome* outcome);
int volcrypt_migrate_abort(volcrypt_handle* handle, const volcrypt_request* request,
                           char** result_json, volcrypt_outcome* outcome);
int volcrypt_commands(volcrypt_handle* handle, const volcrypt_request* request, char** result_json,
                      volcrypt_outcome* outcome);

/* Frees a document a call returned; NULL is ignored. */
void volcrypt_free(char* result_json);

/* The library's version: volcrypt's release, as `volcrypt --version` says. */
const char* volcrypt_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VOLCRYPT_VOLCRYPT_H */

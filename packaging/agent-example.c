/* What a compute agent does with libvolcrypt: one handle kept open, a LUKS volume attached
 * to a running domain with the passphrase handed over in memory, the domain's records
 * listed, the volume detached again.
 *
 *   cc agent-example.c $(pkg-config --cflags --libs volcrypt) -o agent-example
 *   ./agent-example DOMAIN TARGET SOURCE VOLUME_ID PASSPHRASE_FILE
 *
 * Prints each call's JSON document (what `volcrypt --json COMMAND` prints) or its error,
 * and waits for a line on standard input before it detaches (look at the domain
 * meanwhile; </dev/null goes straight on). Exits with the exit code of the first call
 * that failed (the volcrypt program's codes). */
#include <stdio.h>
#include <string.h>
#include <volcrypt/volcrypt.h>

typedef int (*command_fn)(volcrypt_handle*, const volcrypt_request*, char**, volcrypt_outcome*);

/* Runs one command and prints what it returned; returns its exit code. */
static int run(volcrypt_handle* handle, const char* name, command_fn command,
               const char* options_json, const volcrypt_key_input* key) {
  volcrypt_request request = {
      .struct_size = sizeof request, .options_json = options_json, .key = key};
  char* result_json = NULL;
  volcrypt_outcome outcome;
  int code = command(handle, &request, &result_json, &outcome);
  if (code == 0) {
    /* The document ends in a newline, as the program prints it. */
    printf("%s: %s", name, result_json);
  } else {
    fprintf(stderr, "%s failed (exit code %d, %s): %s\n", name, code, outcome.kind,
            outcome.message);
  }
  volcrypt_free(result_json);
  return code;
}

/* The options go in as JSON; this example accepts only names that need no escaping there
 * (an agent would build the object with its JSON library). */
static int plain(const char* text) {
  for (; *text; ++text) {
    if (*text == '"' || *text == '\\' || (unsigned char)*text < 0x20) return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 6 || !plain(argv[1]) || !plain(argv[2]) || !plain(argv[3]) || !plain(argv[4])) {
    fprintf(stderr, "usage: %s DOMAIN TARGET SOURCE VOLUME_ID PASSPHRASE_FILE\n", argv[0]);
    return 2;
  }
  const char *domain = argv[1], *target = argv[2], *source = argv[3], *volume_id = argv[4];
  setvbuf(stdout, NULL, _IOLBF, 0); /* each line as it happens, through a pipe too */

  /* The passphrase's bytes as they are, as `--passphrase-file` reads them; an agent may
   * as well have them from its key manager. */
  unsigned char passphrase[1024];
  FILE* file = fopen(argv[5], "rb");
  size_t size = file ? fread(passphrase, 1, sizeof passphrase, file) : 0;
  if (file) fclose(file);
  if (size == 0 || size == sizeof passphrase) {
    fprintf(stderr, "agent-example: %s holds no passphrase of 1 to %zu bytes\n", argv[5],
            sizeof passphrase - 1);
    explicit_bzero(passphrase, sizeof passphrase);
    return 2;
  }

  /* Default options: qemu:///system (or the config's connect), /etc/volcrypt/volcrypt.conf,
   * the packaged plugins. The handle keeps its libvirt connection across the calls. */
  volcrypt_handle* handle = NULL;
  volcrypt_outcome outcome;
  if (volcrypt_open(NULL, &handle, &outcome) != 0) {
    fprintf(stderr, "open failed (exit code %d, %s): %s\n", outcome.exit_code, outcome.kind,
            outcome.message);
    explicit_bzero(passphrase, sizeof passphrase);
    return outcome.exit_code;
  }
  printf("libvolcrypt %s\n", volcrypt_version());

  char options[4096];
  snprintf(options, sizeof options,
           "{\"domain\": \"%s\", \"target\": \"%s\", \"source\": \"%s\", \"volume-id\": \"%s\", "
           "\"provider\": \"luks\", \"live\": true}",
           domain, target, source, volume_id);
  /* The library copies the key into its locked memory first, so ours is wiped right after. */
  volcrypt_key_input key = {.struct_size = sizeof key,
                            .kind = VOLCRYPT_KEY_INPUT_PASSPHRASE,
                            .bytes = passphrase,
                            .size = size,
                            .fd = -1};
  int failed = run(handle, "attach", volcrypt_attach, options, &key);
  explicit_bzero(passphrase, sizeof passphrase);

  if (!failed) {
    snprintf(options, sizeof options, "{\"domain\": \"%s\"}", domain);
    failed = run(handle, "list", volcrypt_list, options, NULL);
    printf("attached; press Enter to detach\n");
    for (int c = getchar(); c != '\n' && c != EOF;) c = getchar();
    /* Detach even if list failed: the agent must not leave the disk behind. */
    snprintf(options, sizeof options, "{\"domain\": \"%s\", \"target\": \"%s\", \"live\": true}",
             domain, target);
    int detach_failed = run(handle, "detach", volcrypt_detach, options, NULL);
    if (!failed) failed = detach_failed;
  }
  volcrypt_close(handle);
  return failed;
}

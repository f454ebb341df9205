/* The whole userland of the iothread benchmark's guest: PID 1 in a tiny initramfs. Loads
 * the virtio block driver, reads /dev/vda with O_DIRECT (1 MiB requests, one at a time)
 * PASSES times, prints each pass's time on the serial console and powers off. The first
 * pass warms QEMU and the host's page cache; the benchmark keeps the others. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { PASSES = 4, CHUNK = 1 << 20 };

static void load_module(const char* name) {
  char path[128];
  snprintf(path, sizeof path, "/modules/%s.ko", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
    printf("volcrypt-guest-read: cannot load %s\n", name);
  }
  if (fd >= 0) close(fd);
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void power_off(void) {
  fflush(stdout);
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

int main(void) {
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int console = open("/dev/console", O_WRONLY);
  if (console >= 0) {
    dup2(console, 1);
    dup2(console, 2);
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* In dependency order (modules.dep of the cloud kernel). */
  const char* modules[] = {"virtio_ring",           "virtio",     "virtio_pci_modern_dev",
                           "virtio_pci_legacy_dev", "virtio_pci", "virtio_blk"};
  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; ++i) load_module(modules[i]);

  int disk = -1;
  for (int tries = 0; tries < 300 && disk < 0; ++tries) {
    disk = open("/dev/vda", O_RDONLY | O_DIRECT);
    if (disk < 0) usleep(100 * 1000);
  }
  if (disk < 0) {
    printf("volcrypt-guest-read: no /dev/vda\n");
    power_off();
  }
  uint64_t size = 0;
  ioctl(disk, BLKGETSIZE64, &size);
  void* buffer = NULL;
  if (posix_memalign(&buffer, 4096, CHUNK) != 0) power_off();
  for (int pass = 1; pass <= PASSES; ++pass) {
    uint64_t done = 0;
    const double start = now_seconds();
    while (done + CHUNK <= size) {
      ssize_t got = pread(disk, buffer, CHUNK, (off_t)done);
      if (got != CHUNK) break;
      done += CHUNK;
    }
    const double seconds = now_seconds() - start;
    printf("volcrypt-guest-read pass=%d bytes=%llu seconds=%.6f\n", pass, (unsigned long long)done,
           seconds);
  }
  power_off();
  return 0;
}

// Where the passphrase must never be: in what anyone on the host can read of volcrypt and
// its helpers while they run (/proc/PID/cmdline and environ, sampled at each exec and
// each step of a traced run), and in what they and libvirt leave on disk (intent files,
// volcrypt's caches, libvirtd's log, the domains' QEMU logs). Each form of the passphrase
// is looked for: as given, and as lowercase and uppercase hex of its bytes (how a raw
// key is handed on). Reports say where, never what.
#pragma once

#include <string>
#include <vector>

#include "kill_points.hpp"

namespace volcrypt::test {

// The passphrase as given and its hex forms.
std::vector<std::string> passphrase_forms(const std::string& passphrase);

// e.g. "the program's environ": each process view of the run holding a form of it.
std::vector<std::string> views_holding(const TracedRun& run, const std::string& passphrase);

// Each file under these paths (files, or folders walked recursively; missing ones are
// skipped) holding a form of the passphrase.
std::vector<std::string> files_holding(const std::vector<std::string>& paths,
                                       const std::string& passphrase);

// What volcrypt and libvirt write on this host: the intent folder, /var/cache/volcrypt,
// libvirtd's log and the QEMU log of each named domain.
std::vector<std::string> host_files_to_search(
    const std::vector<std::string>& domains,
    const std::string& qemu_log_dir = "/var/log/libvirt/qemu");

}  // namespace volcrypt::test

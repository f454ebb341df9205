// Where things are inside the guest VM: the build outputs the runner copied in (found
// beside this test program, so the same binary also lists its tests on the host), the
// disks the host shares for the cross-compatibility checks, and their passphrase.
#pragma once

#include <string>

namespace volcrypt::guest {

// The folder holding this test program, volcrypt and plugins/.
std::string program_dir();
std::string volcrypt_program();
std::string plugin_file(const std::string& plugin_id);

// A virtio disk the host runner attached with serial=NAME (the guest's /init links
// each one as /run/guest-disks/NAME).
std::string shared_disk(const std::string& serial);
// The passphrase of the shared disks, a file the runner wrote (0600, no newline).
std::string shared_passphrase_file();

// A setting the host runner passed in (the file guest/NAME beside the program's folder,
// e.g. "kill-points"), or "" when it passed none.
std::string runner_setting(const std::string& name);

}  // namespace volcrypt::guest

// What a process killed half-way through opening or closing a mapping leaves behind,
// and its removal. libcryptsetup opens a mapping in three device-mapper requests
// (create, load the table, resume) and closes it in two steps (remove, then unlink the
// /dev/mapper node); a kill between them leaves a name libcryptsetup cannot clear.
#pragma once

#include <string>

#include "crypt_device.hpp"

namespace volcrypt::dm {

// Removes the device-mapper device called name if libcryptsetup created it (its uuid
// starts with "CRYPT-") and it never got a live table, so no data goes through it and
// nobody holds it. True when it removed one; false when there is no such device.
bool remove_half_opened_mapping(CryptLog& log, const std::string& name);

// Unlinks /dev/mapper/NAME when device-mapper has no device of that name.
void remove_stale_mapper_node(CryptLog& log, const std::string& name);

}  // namespace volcrypt::dm

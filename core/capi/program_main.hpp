// The volcrypt program, inside libvolcrypt: its main() is this one call, so the program
// runs every command through the same handle and calls as the C API's users. Exported
// under the private version node VOLCRYPT_PRIVATE (not part of the stable C API).
#pragma once

extern "C" int volcrypt_program_main(int argc, char** argv);

// volcrypt: the host driver program, libvolcrypt's first user: it runs every command
// through the library's handle and calls, as compute agents do through the C API.
#include "program_main.hpp"

int main(int argc, char** argv) { return volcrypt_program_main(argc, argv); }

// Where volcrypt's code was loaded from: the volcrypt program's file, or libvolcrypt's in
// a program that links it. The plugins and the plugin helper of a build tree are found
// beside it, and of an install under another prefix relative to it.
#pragma once

#include <filesystem>

namespace volcrypt::cli {

struct CodeLocation {
  std::filesystem::path directory;  // empty: not known
  // The volcrypt program itself, which can also run the plugin helpers (a program that
  // links libvolcrypt cannot).
  bool is_program = true;
  const char* name = "the program";  // in the origins `volcrypt plugins` shows

  // The running volcrypt program's folder.
  static CodeLocation program();
};

}  // namespace volcrypt::cli

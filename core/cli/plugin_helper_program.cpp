#include "plugin_helper_program.hpp"

#include <unistd.h>

#include <filesystem>
#include <vector>
#include <volcrypt/error.hpp>

namespace volcrypt::cli {
namespace {

bool is_executable_file(const std::filesystem::path& file) {
  std::error_code error;
  return std::filesystem::is_regular_file(file, error) && ::access(file.c_str(), X_OK) == 0;
}

}  // namespace

PluginHelperChoice choose_plugin_helper(const CodeLocation& code) {
  std::vector<std::filesystem::path> candidates;
  if (!code.directory.empty()) {
    candidates.push_back(code.directory / VOLCRYPT_PLUGIN_HELPER_NAME);
    // An install under another prefix keeps the packaged layout relative to the program.
    if (code.is_program) {
      candidates.push_back(
          (code.directory / VOLCRYPT_PLUGIN_HELPER_DIR_FROM_BIN / VOLCRYPT_PLUGIN_HELPER_NAME)
              .lexically_normal());
    }
  }
  candidates.push_back(std::filesystem::path(VOLCRYPT_PLUGIN_HELPER_INSTALL_DIR) /
                       VOLCRYPT_PLUGIN_HELPER_NAME);
  for (const auto& candidate : candidates) {
    if (is_executable_file(candidate)) {
      return {candidate.string(), "plugin helper: " + candidate.string()};
    }
  }
  if (!code.is_program) {
    throw Error(ErrorKind::not_found, "no " + std::string(VOLCRYPT_PLUGIN_HELPER_NAME) +
                                          " beside " + code.name + " (" + code.directory.string() +
                                          ") nor in " VOLCRYPT_PLUGIN_HELPER_INSTALL_DIR
                                          ": volcrypt cannot probe plugins without it");
  }
  // The running program itself, even if its file was replaced by an upgrade since.
  return {"/proc/self/exe", "plugin helper: no " + std::string(VOLCRYPT_PLUGIN_HELPER_NAME) +
                                " beside the program nor in " VOLCRYPT_PLUGIN_HELPER_INSTALL_DIR
                                ", so volcrypt itself runs the helpers (slower to start)"};
}

}  // namespace volcrypt::cli

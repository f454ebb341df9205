#include "key_leaks.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace volcrypt::test {
namespace {

std::string hex(const std::string& bytes, const char* digits) {
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool holds_any(const std::string& text, const std::vector<std::string>& forms) {
  for (const auto& form : forms) {
    if (!form.empty() && text.find(form) != std::string::npos) return true;
  }
  return false;
}

std::string text_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

std::vector<std::string> passphrase_forms(const std::string& passphrase) {
  return {passphrase, hex(passphrase, "0123456789abcdef"), hex(passphrase, "0123456789ABCDEF")};
}

std::vector<std::string> views_holding(const TracedRun& run, const std::string& passphrase) {
  const auto forms = passphrase_forms(passphrase);
  std::vector<std::string> out;
  for (const auto& view : run.process_views) {
    if (holds_any(view.text, forms)) out.push_back(view.what);
  }
  return out;
}

std::vector<std::string> files_holding(const std::vector<std::string>& paths,
                                       const std::string& passphrase) {
  const auto forms = passphrase_forms(passphrase);
  std::vector<std::string> out;
  const auto search = [&](const std::filesystem::path& file) {
    std::error_code error;
    if (std::filesystem::is_regular_file(file, error) && holds_any(text_of(file), forms)) {
      out.push_back(file.string());
    }
  };
  for (const auto& path : paths) {
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
      search(path);
      continue;
    }
    // Other tests add and remove files meanwhile: an entry gone is skipped.
    for (auto it = std::filesystem::recursive_directory_iterator(
             path, std::filesystem::directory_options::skip_permission_denied, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      search(it->path());
    }
  }
  return out;
}

std::vector<std::string> host_files_to_search(const std::vector<std::string>& domains,
                                              const std::string& qemu_log_dir) {
  const char* state = std::getenv("VOLCRYPT_STATE_DIR");
  const std::string run = state != nullptr && *state != '\0' ? state : "/run/volcrypt";
  std::vector<std::string> paths = {run + "/intents", "/var/cache/volcrypt",
                                    "/var/log/libvirt/libvirtd.log"};
  for (const auto& domain : domains) paths.push_back(qemu_log_dir + "/" + domain + ".log");
  return paths;
}

}  // namespace volcrypt::test

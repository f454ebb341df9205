#include "bash_completion.hpp"

#include <sstream>
#include <stdexcept>

#include "process.hpp"

namespace volcrypt::test {

std::set<std::string> bash_completions(const std::vector<std::string>& words) {
  std::string script =
      "source '" VOLCRYPT_SOURCE_DIR "/packaging/bash-completion/volcrypt'; COMP_WORDS=(volcrypt";
  for (const auto& word : words) script += " '" + word + "'";
  script += "); COMP_CWORD=" + std::to_string(words.size()) +
            "; _volcrypt; printf '%s\\n' \"${COMPREPLY[@]}\"";
  ProcessResult r = run_process({"bash", "-c", script});
  if (r.exit_code != 0) throw std::runtime_error("bash completion failed: " + r.err);
  std::set<std::string> offered;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) offered.insert(line);
  }
  return offered;
}

}  // namespace volcrypt::test

// What the packaged bash completion (packaging/bash-completion/volcrypt) offers, as a
// shell user would see it after pressing Tab.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace volcrypt::test {

// The completions after `volcrypt WORDS...`, where the last word is the one being
// completed (empty: nothing typed yet). Words must not hold quotes.
std::set<std::string> bash_completions(const std::vector<std::string>& words);

}  // namespace volcrypt::test

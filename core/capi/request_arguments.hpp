// A call's options, a JSON object named as on the command line, turned into the
// command-line arguments the command table parses: one parser for the program and the
// library, so a call accepts and refuses exactly what the command line does.
#pragma once

#include <string>
#include <vector>

namespace volcrypt::capi {

// {"domain": "vm1", "live": true, "monitor": ["a", "b"]} -> --domain=vm1 --live
// --monitor=a --monitor=b. false and null leave an option out. Throws Error(usage) for
// text that is not a JSON object, a name that is not an option's, an object or a
// fraction as a value, and the program's own switches (help, json, verbose).
std::vector<std::string> command_arguments(const std::string& options_json);

}  // namespace volcrypt::capi

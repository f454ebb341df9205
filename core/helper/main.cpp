// volcrypt-plugin-helper: describes, probes or claims with one plugin for volcrypt, in a
// process of its own. It is `volcrypt __plugin-helper` without libvirt: the same command
// line and the same answer on the same pipe, from a program that maps a handful of
// libraries instead of some sixty, since volcrypt starts one per plugin.
#include <iostream>
#include <string>
#include <vector>
#include <volcrypt/plugin_helper.hpp>

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != volcrypt::kPluginHelperMode) {
    std::cerr << "volcrypt-plugin-helper: run by volcrypt, not by hand\n";
    return 2;
  }
  return volcrypt::run_plugin_helper(std::vector<std::string>(argv + 1, argv + argc));
}

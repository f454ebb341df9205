#include "invocation.hpp"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <set>
#include <sstream>
#include <volcrypt/error.hpp>

#include "config_file.hpp"
#include "plugin_search_path.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

po::options_description global_options() {
  po::options_description options("Global options (before COMMAND)");
  options.add_options()("connect,c", po::value<std::string>()->value_name("URI"),
                        "libvirt connection URI (default qemu:///system)")(
      "config", po::value<std::string>()->value_name("FILE"),
      "config file (default " VOLCRYPT_DEFAULT_CONFIG
      ")")("plugin-dir", po::value<std::vector<std::string>>()->value_name("DIR")->composing(),
           "also search DIR for plugins (repeatable)")("json", "machine-readable output")(
      "verbose,v", "log what happens to standard error (-vv: debug)")("help,h", "show help")(
      "version", "show the version");
  return options;
}

// Options before COMMAND that take a value, so splitting knows to skip that value.
bool takes_value(const std::string& token) {
  static const std::set<std::string> with_value = {"--connect", "-c", "--config", "--plugin-dir"};
  return with_value.count(token) > 0;
}

// The packaged and the local drop-in directory: one and the same under the default
// /usr/local prefix, and then named once.
std::string built_in_plugin_dirs_text() {
  const std::string packaged = VOLCRYPT_PLUGIN_INSTALL_DIR;
  const std::string local = VOLCRYPT_LOCAL_PLUGIN_DIR;
  return packaged == local ? packaged : packaged + ",\n" + local;
}

}  // namespace

std::string global_help(const std::string& commands) {
  std::ostringstream out;
  out << "usage: volcrypt [--connect URI] [--config FILE] [--plugin-dir DIR]... [--json] [-v] "
         "COMMAND [ARGS]\n\n"
         "Attaches encrypted volumes to libvirt/QEMU domains through encryptor plugins.\n\n"
         "Commands:\n"
      << commands
      << "\n"
         "Run 'volcrypt COMMAND --help' for a command's options.\n\n"
      << global_options()
      << "\nPlugin directories, in search order: --plugin-dir, VOLCRYPT_PLUGIN_PATH (colon-"
         "separated),\nthe config file's plugin-dir, plugins/ beside the program, "
      << built_in_plugin_dirs_text() << ".\n"
      << "\nExit codes: 0 ok, 1 unexpected, 2 usage, 3 not found, 4 wrong passphrase,\n"
         "5 volume holds non-LUKS data or a damaged LUKS header, 6 no plugin can serve (or\n"
         "extend the device it opened), 7 busy, "
         "8 plugin failed, "
         "9 libvirt refused, 10 internal, 11 check/recover found inconsistencies.\n";
  return out.str();
}

Invocation parse_invocation(int argc, char** argv, const CodeLocation& code) {
  // Split at COMMAND: options before it are global, the rest belong to the command
  // (attach has its own --config flag, meaning the persistent definition).
  std::vector<std::string> global;
  Invocation invocation;
  int i = 1;
  for (; i < argc; ++i) {
    std::string token = argv[i];
    if (!token.starts_with("-")) break;
    // Counted here: Program_options would reject a repeated switch.
    if (token == "-v" || token == "--verbose" || token == "-vv") {
      invocation.verbosity += token == "-vv" ? 2 : 1;
      continue;
    }
    global.push_back(token);
    if (takes_value(token) && i + 1 < argc) global.push_back(argv[++i]);
  }
  if (i < argc) {
    invocation.command = argv[i];
    invocation.command_args.assign(argv + i + 1, argv + argc);
  }

  po::variables_map vm;
  try {
    po::store(
        po::command_line_parser(global)
            .options(global_options())
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
  } catch (const po::error& e) {
    throw Error(ErrorKind::usage, e.what());
  }
  invocation.help = vm.count("help") > 0;
  invocation.version = vm.count("version") > 0;
  invocation.json = vm.count("json") > 0;

  Settings& settings = invocation.settings;
  if (vm.count("plugin-dir")) {
    for (const auto& dir : vm["plugin-dir"].as<std::vector<std::string>>()) {
      add_plugin_dir(settings, dir, "--plugin-dir");
    }
  }
  add_environment_plugin_dirs(settings);
  if (vm.count("config")) {
    apply_config_file(vm["config"].as<std::string>(), true, settings);
  } else {
    apply_config_file(VOLCRYPT_DEFAULT_CONFIG, false, settings);
  }
  add_default_plugin_dirs(settings, code);
  // Tests and unprivileged runs keep their registry cache elsewhere.
  if (const char* cache = std::getenv("VOLCRYPT_CACHE_DIR"); cache != nullptr && *cache != '\0') {
    settings.plugin_cache_dir = cache;
    settings.origins["cache-dir = " + settings.plugin_cache_dir] = "VOLCRYPT_CACHE_DIR";
  }
  if (vm.count("connect")) {
    settings.connect_uri = vm["connect"].as<std::string>();
    settings.origins["connect = " + settings.connect_uri] = "--connect";
  }
  return invocation;
}

}  // namespace volcrypt::cli

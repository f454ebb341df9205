#include <functional>
#include <iostream>
#include <volcrypt/error.hpp>

#include "batch_commands.hpp"
#include "batch_requests.hpp"
#include "exit_codes.hpp"
#include "json_writer.hpp"
#include "key_options.hpp"
#include "operation_output.hpp"
#include "volume_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

// Each request names its own domain, target, volume and scope.
void refuse_single_options(const po::variables_map& vm, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (vm.count(name) && !vm[name].defaulted()) {
      throw Error(ErrorKind::usage, std::string("--") + name +
                                        " cannot be combined with --batch (each request "
                                        "names its own)");
    }
  }
}

// Every encrypted volume's key file is looked at before anything changes (a request
// without one refuses the whole batch); each key is read only as its request runs.
std::function<VolumeKey(size_t)> key_source(const std::vector<AttachRequest>& requests,
                                            const KeyDirectory& directory) {
  const auto no_key = [&requests](size_t index) {
    return "no key for volume_id '" + requests[index].volume.volume_id + "': ";
  };
  for (size_t index = 0; index < requests.size(); ++index) {
    if (!requests[index].volume.encrypted) continue;
    const std::string what = batch_request_name(index) + ": " + no_key(index);
    if (directory.path.empty()) {
      throw Error(ErrorKind::usage, what + "give --key-dir or --passphrase-dir");
    }
    try {
      check_key_in_directory(directory, requests[index].volume.volume_id);
    } catch (const Error& e) {
      throw Error(e.kind(), what + e.what());
    }
  }
  return [&requests, directory, no_key](size_t index) {
    try {
      return key_from_directory(directory, requests[index].volume.volume_id);
    } catch (const Error& e) {
      throw Error(e.kind(), no_key(index) + e.what());
    }
  };
}

struct Failure {
  std::string kind;
  std::string message;
  int exit_code = kExitSuccess;
};

Failure failure_of(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return {error_kind_name(e.kind()), e.what(), exit_code(e.kind())};
  } catch (const std::exception& e) {
    return {"unexpected", e.what(), kExitUnexpected};
  }
}

// One line (and its details) per request in request order, or with --json an array of
// one object per request; returns the worst exit code.
template <typename Request, typename Result, typename WriteJson, typename WriteText>
int report(CommandContext& context, const std::vector<Request>& requests,
           const std::vector<BatchOutcome<Result>>& outcomes, WriteJson write_json,
           WriteText write_text) {
  int worst = kExitSuccess;
  std::optional<JsonWriter> json;
  if (context.invocation.json) json.emplace(context.out).begin_array();
  for (size_t index = 0; index < requests.size(); ++index) {
    const Request& request = requests[index];
    const BatchOutcome<Result>& outcome = outcomes[index];
    const Failure failure = outcome.failure ? failure_of(outcome.failure) : Failure{};
    worst = worse_exit_code(worst, failure.exit_code);
    if (outcome.failure) {
      std::cerr << "volcrypt: error: " << batch_request_name(index) << ": " << failure.message
                << "\n";
    }
    if (!json) {
      context.out << "request " << index << ": ";
      if (outcome.failure) {
        context.out << "failed (exit " << failure.exit_code << "): " << failure.message << "\n";
      } else {
        write_text(context.out, request, outcome.result);
      }
      continue;
    }
    json->begin_object().field("index", static_cast<int64_t>(index));
    if (outcome.failure) {
      json->field("domain", request.domain).field("target", request.target);
    } else {
      write_json(*json, request, outcome.result);
    }
    json->field("exit_code", static_cast<int64_t>(failure.exit_code));
    if (outcome.failure) {
      json->key("error").begin_object();
      json->field("kind", failure.kind).field("message", failure.message).end_object();
    }
    json->end_object();
  }
  if (json) json->end_array();
  return worst;
}

}  // namespace

int run_attach_batch(CommandContext& context, const po::variables_map& vm) {
  refuse_single_options(
      vm, {"domain", "target", "bus", "iothread", "plugin", "shareable", "live", "config", "source",
           "volume-id", "provider", "cipher", "key-size", "volume-json", "monitor", "auth-user",
           "auth-secret", "key-file", "passphrase-file"});
  const KeyDirectory directory = key_directory_from_options(vm, context.engine.settings().key_dir);
  const std::vector<AttachRequest> requests = attach_requests_from_batch(
      read_batch(vm["batch"].as<std::string>()), network_defaults(vm, context.engine.settings()));
  return report(context, requests,
                context.engine.attach_batch(requests, key_source(requests, directory)),
                write_attach_json_fields, write_attach_text);
}

int run_detach_batch(CommandContext& context, const po::variables_map& vm) {
  refuse_single_options(vm, {"domain", "target", "live", "config"});
  const std::vector<DetachRequest> requests =
      detach_requests_from_batch(read_batch(vm["batch"].as<std::string>()));
  return report(context, requests, context.engine.detach_batch(requests), write_detach_json_fields,
                write_detach_text);
}

}  // namespace volcrypt::cli

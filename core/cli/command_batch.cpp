#include <functional>
#include <volcrypt/error.hpp>

#include "batch_commands.hpp"
#include "batch_requests.hpp"
#include "exit_codes.hpp"
#include "key_options.hpp"
#include "operation_output.hpp"
#include "volume_options.hpp"

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
                                            const KeyDirectory& directory,
                                            const CommandInput& input) {
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
  return [&requests, directory, no_key, &input](size_t index) {
    try {
      return key_from_directory(directory, requests[index].volume.volume_id, input);
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

// Each request's outcome in request order: its result, or why it failed.
template <typename Done>
struct BatchItem {
  std::string domain;
  std::string target;
  std::optional<Done> done;
  Failure failure;
};

template <typename Done>
struct BatchReport {
  std::vector<BatchItem<Done>> items;
};

// One line (and its details) per request.
template <typename Done>
void write_text(std::ostream& out, const BatchReport<Done>& report) {
  for (size_t index = 0; index < report.items.size(); ++index) {
    const BatchItem<Done>& item = report.items[index];
    out << "request " << index << ": ";
    if (item.done) {
      write_text(out, *item.done);
    } else {
      out << "failed (exit " << item.failure.exit_code << "): " << item.failure.message << "\n";
    }
  }
}

// An array of one object per request: the single command's fields, or its domain and
// target and the error.
template <typename Done>
Json json_of(const BatchReport<Done>& report) {
  Json array = Json::array();
  for (size_t index = 0; index < report.items.size(); ++index) {
    const BatchItem<Done>& item = report.items[index];
    Json object{{"index", index}};
    const Json fields =
        item.done ? json_of(*item.done) : Json{{"domain", item.domain}, {"target", item.target}};
    for (const auto& [key, value] : fields.items()) object[key] = value;
    object["exit_code"] = item.failure.exit_code;
    if (!item.done) {
      object["error"] = Json{{"kind", item.failure.kind}, {"message", item.failure.message}};
    }
    array.push_back(std::move(object));
  }
  return array;
}

// The report, the worst exit code and an error line per failed request.
template <typename Done, typename Request, typename Result>
CommandResult report(const std::vector<Request>& requests,
                     const std::vector<BatchOutcome<Result>>& outcomes) {
  BatchReport<Done> batch;
  int worst = kExitSuccess;
  std::vector<std::string> errors;
  for (size_t index = 0; index < requests.size(); ++index) {
    const Request& request = requests[index];
    const BatchOutcome<Result>& outcome = outcomes[index];
    BatchItem<Done> item{request.domain, request.target, std::nullopt, Failure{}};
    if (outcome.failure) {
      item.failure = failure_of(outcome.failure);
      errors.push_back(batch_request_name(index) + ": " + item.failure.message);
    } else {
      item.done = Done{request, outcome.result};
    }
    worst = worse_exit_code(worst, item.failure.exit_code);
    batch.items.push_back(std::move(item));
  }
  CommandResult result(std::move(batch), worst);
  result.errors = std::move(errors);
  return result;
}

}  // namespace

CommandResult run_attach_batch(CommandContext& context, const po::variables_map& vm) {
  refuse_single_options(
      vm, {"domain", "target", "bus", "iothread", "plugin", "shareable", "live", "config", "source",
           "volume-id", "provider", "cipher", "key-size", "volume-json", "monitor", "auth-user",
           "auth-secret", "key-file", "passphrase-file"});
  const KeyDirectory directory = key_directory_from_options(vm, context.engine.settings().key_dir);
  const std::vector<AttachRequest> requests =
      attach_requests_from_batch(read_batch(vm["batch"].as<std::string>(), context.input),
                                 network_defaults(vm, context.engine.settings()));
  return report<Attached>(requests, context.engine.attach_batch(
                                        requests, key_source(requests, directory, context.input)));
}

CommandResult run_detach_batch(CommandContext& context, const po::variables_map& vm) {
  refuse_single_options(vm, {"domain", "target", "live", "config"});
  const std::vector<DetachRequest> requests =
      detach_requests_from_batch(read_batch(vm["batch"].as<std::string>(), context.input));
  return report<Detached>(requests, context.engine.detach_batch(requests));
}

}  // namespace volcrypt::cli

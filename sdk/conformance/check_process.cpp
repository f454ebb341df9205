#include "check_process.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "process_runner.hpp"
#include "scratch_volumes.hpp"

namespace volcrypt::conformance {
namespace {

// The protocol between the two processes: tab-separated lines.
constexpr char kBegin[] = "BEGIN";
constexpr char kResult[] = "RESULT";
constexpr char kStop[] = "STOP";

void print_result(const std::string& name, bool ok, const std::string& detail) {
  if (ok) {
    std::cout << "PASS " << name << (detail.empty() ? "" : " (" + detail + ")") << "\n";
  } else {
    std::cout << "FAIL " << name << ": " << detail << "\n";
  }
  std::cout.flush();
}

std::string how_it_ended(const runner::ProcessResult& child, unsigned timeout_seconds) {
  if (child.hung) {
    return "timed out after " + std::to_string(timeout_seconds) + " s (the plugin hung?)";
  }
  if (child.signal != 0) {
    return "the plugin crashed the process: signal " + std::to_string(child.signal) + " (" +
           strsignal(child.signal) + ")";
  }
  return "the process exited with status " + std::to_string(child.exit_code) +
         " during the check (a plugin must never call exit)";
}

}  // namespace

std::string printable(const std::string& text, size_t limit) {
  std::string out;
  for (unsigned char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void Channel::send(const std::string& line) {
  std::string text = line + "\n";
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void Channel::begin(const std::string& name) { send(std::string(kBegin) + "\t" + name); }

void Channel::finish(const std::string& name, const CheckResult& result) {
  send(std::string(kResult) + "\t" + name + "\t" + (result.passed ? "1" : "0") + "\t" +
       printable(result.detail));
}

void Channel::stop() { send(kStop); }

ProcessOutcome run_in_child_process(unsigned timeout_seconds,
                                    const std::function<void(Channel&, const std::string&)>& body) {
  ProcessOutcome outcome;
  const std::filesystem::path scratch = make_scratch_folder();
  std::cout.flush();
  // The child reports on its standard output as it is when the check starts; the checks
  // then point fd 1 elsewhere (StdoutCapture), so a plugin's output never mixes in.
  const runner::ProcessResult child = runner::run_in_child_process(
      [&] {
        Channel channel(dup(STDOUT_FILENO));
        try {
          body(channel, scratch.string());
        } catch (const std::exception& e) {
          channel.finish("checker", failed(std::string("the checker itself failed: ") + e.what()));
        }
      },
      std::chrono::seconds(timeout_seconds));

  std::string pending;  // begun, not yet finished
  std::stringstream lines(child.out);
  for (std::string text; std::getline(lines, text);) {
    std::vector<std::string> fields;
    std::stringstream parts(text);
    for (std::string field; std::getline(parts, field, '\t');) fields.push_back(field);
    if (fields.empty()) continue;
    if (fields[0] == kBegin && fields.size() >= 2) {
      pending = fields[1];
    } else if (fields[0] == kResult && fields.size() >= 3) {
      const bool ok = fields[2] == "1";
      print_result(fields[1], ok, fields.size() >= 4 ? fields[3] : "");
      ++(ok ? outcome.passed : outcome.failed);
      pending.clear();
    } else if (fields[0] == kStop) {
      outcome.stopped = true;
    }
  }
  if (!pending.empty()) {
    print_result(pending, false, how_it_ended(child, timeout_seconds));
    ++outcome.failed;
    outcome.stopped = outcome.stopped || pending == "load" || pending == "entry";
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  return outcome;
}

}  // namespace volcrypt::conformance

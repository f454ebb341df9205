// The helper runner on stand-in helpers (/bin/sh scripts): each fate is told apart, a
// hung helper is killed at the time limit, and the answer comes only from its pipe.
#include "plugin_host/helper_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "hang_deadline.hpp"
#include "plugin_host/plugin_helper_args.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

std::vector<std::string> script(const std::string& text) { return {"-c", text}; }

TEST(HelperProcess, EachFateIsToldApartAndTheOthersStillAnswer) {
  const std::vector<HelperOutcome> outcomes = run_helpers(
      "/bin/sh",
      {script("printf 'volcrypt-plugin-helper 1\\nid=good\\nrank=64\\nend\\n' >&3; echo noise"),
       script("kill -SEGV $$"), script("exec sleep 30"), script("echo only-stdout; exit 0"),
       script("printf 'garbage\\n' >&3"), script("head -c 20000 /dev/zero | tr '\\0' x >&3")},
      300);
  ASSERT_EQ(outcomes.size(), 6u);

  EXPECT_EQ(outcomes[0].fate, HelperFate::answered) << outcomes[0].fate_text;
  EXPECT_EQ(outcomes[0].answer.id, "good");
  EXPECT_EQ(outcomes[0].answer.rank, 64);
  EXPECT_EQ(outcomes[1].fate, HelperFate::crashed);
  EXPECT_EQ(outcomes[1].fate_text, "crashed (signal 11)");
  EXPECT_EQ(outcomes[2].fate, HelperFate::timed_out);
  EXPECT_EQ(outcomes[2].fate_text, "timed out after 300 ms");
  EXPECT_EQ(outcomes[3].fate, HelperFate::exited_without_answer);
  EXPECT_EQ(outcomes[3].fate_text, "exited with status 0 without answering");
  EXPECT_EQ(outcomes[4].fate, HelperFate::bad_answer);
  EXPECT_EQ(outcomes[4].fate_text,
            "sent a malformed answer (not a plugin helper answer (first line))");
  EXPECT_EQ(outcomes[5].fate, HelperFate::bad_answer);
  EXPECT_EQ(outcomes[5].fate_text, "sent an answer longer than 16384 bytes");
}

// Each of two helpers answers only once it sees the other has started: run one after the
// other, the first would wait until killed at the time limit (the hang deadline, which a
// side-by-side run never comes near).
TEST(HelperProcess, HelpersRunSideBySide) {
  test_volumes::ScratchDir scratch;
  const auto meeting = [&](const std::string& mine, const std::string& theirs) {
    return script("touch '" + scratch.file(mine) + "'; until [ -e '" + scratch.file(theirs) +
                  "' ]; do sleep 0.05; done; "
                  "printf 'volcrypt-plugin-helper 1\\nid=" +
                  mine + "\\nrank=64\\nend\\n' >&3");
  };
  const int limit_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(test::kHangDeadline).count());
  const std::vector<HelperOutcome> outcomes =
      run_helpers("/bin/sh", {meeting("first", "second"), meeting("second", "first")}, limit_ms);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].fate, HelperFate::answered) << outcomes[0].fate_text;
  EXPECT_EQ(outcomes[0].answer.id, "first");
  EXPECT_EQ(outcomes[1].fate, HelperFate::answered) << outcomes[1].fate_text;
  EXPECT_EQ(outcomes[1].answer.id, "second");
}

TEST(HelperProcess, AProgramThatCannotStartIsNamed) {
  const auto outcomes = run_helpers("/nonexistent/volcrypt", {{"x"}}, 300);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_NE(outcomes[0].fate, HelperFate::answered);
}

// One /bin/sh helper serves a list of jobs: "good-ID" answers for ID, "crash", "hang",
// "exit" and "garbage" end the helper that way. Each start is counted in a file.
std::vector<std::string> shared_script(const std::string& starts,
                                       const std::vector<std::string>& jobs, size_t first) {
  std::vector<std::string> args =
      script("echo started >>'" + starts +
             "'; for job in \"$@\"; do case $job in "
             "good-*) printf 'volcrypt-plugin-helper 1\\nid=%s\\nrank=64\\nend\\n' "
             "\"${job#good-}\" >&3;; "
             "crash) kill -SEGV $$;; hang) exec sleep 30;; exit) exit 0;; "
             "garbage) printf 'garbage\\nend\\n' >&3;; esac; done");
  args.push_back("sh");
  args.insert(args.end(), jobs.begin() + static_cast<std::ptrdiff_t>(first), jobs.end());
  return args;
}

int starts_in(const std::string& file) {
  const std::vector<uint8_t> bytes = test_volumes::read_file(file);
  return static_cast<int>(std::count(bytes.begin(), bytes.end(), '\n'));
}

TEST(SharedHelper, AJobThatEndsItsHelperIsNamedAndANewHelperServesTheRest) {
  test_volumes::ScratchDir scratch;
  const std::string starts = scratch.file("starts");
  const std::vector<std::string> jobs = {"good-a", "crash",  "good-b",  "hang",  "good-c",
                                         "exit",   "good-d", "garbage", "good-e"};
  const std::vector<HelperOutcome> outcomes = run_shared_helper(
      "/bin/sh", jobs.size(), [&](size_t first) { return shared_script(starts, jobs, first); },
      300);
  ASSERT_EQ(outcomes.size(), jobs.size());
  for (size_t i : {0u, 2u, 4u, 6u, 8u}) {
    EXPECT_EQ(outcomes[i].fate, HelperFate::answered) << i << ": " << outcomes[i].fate_text;
    EXPECT_EQ(outcomes[i].answer.id, jobs[i].substr(5));
    EXPECT_EQ(outcomes[i].answer.rank, 64);
  }
  EXPECT_EQ(outcomes[1].fate, HelperFate::crashed);
  EXPECT_EQ(outcomes[1].fate_text, "crashed (signal 11)");
  EXPECT_EQ(outcomes[3].fate, HelperFate::timed_out);
  EXPECT_EQ(outcomes[3].fate_text, "timed out after 300 ms");
  EXPECT_EQ(outcomes[5].fate, HelperFate::exited_without_answer);
  EXPECT_EQ(outcomes[5].fate_text, "exited with status 0 without answering");
  EXPECT_EQ(outcomes[7].fate, HelperFate::bad_answer);
  EXPECT_EQ(outcomes[7].fate_text,
            "sent a malformed answer (not a plugin helper answer (first line))");
  // The first helper, and one after each of the four jobs that ended one.
  EXPECT_EQ(starts_in(starts), 5);
}

TEST(SharedHelper, WellBehavedJobsShareOneHelper) {
  test_volumes::ScratchDir scratch;
  const std::string starts = scratch.file("starts");
  const std::vector<std::string> jobs = {"good-a", "good-b", "good-c"};
  const std::vector<HelperOutcome> outcomes = run_shared_helper(
      "/bin/sh", jobs.size(), [&](size_t first) { return shared_script(starts, jobs, first); },
      2000);
  ASSERT_EQ(outcomes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(outcomes[i].fate, HelperFate::answered) << outcomes[i].fate_text;
    EXPECT_EQ(outcomes[i].answer.id, jobs[i].substr(5));
  }
  EXPECT_EQ(starts_in(starts), 1);
}

TEST(SharedHelper, AProgramThatCannotStartFailsEveryJob) {
  const auto outcomes = run_shared_helper(
      "/nonexistent/volcrypt", 2, [](size_t) { return std::vector<std::string>{"x"}; }, 300);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_NE(outcomes[0].fate, HelperFate::answered);
  EXPECT_NE(outcomes[1].fate, HelperFate::answered);
  EXPECT_NE(outcomes[1].fate_text, "");
}

// A stand-in for volcrypt-plugin-helper's two probing modes: it answers for each plugin
// file with the file's name less ".so" as the id, and crashes on a file named crash-at-load (while
// loading, in the waiting mode) or crash-at-probe. Each start is counted in a file.
class FakeProbeHelper {
 public:
  FakeProbeHelper() {
    test_volumes::write_file(
        program(),
        "#!/bin/sh\n"
        "echo \"$2\" >>'" +
            scratch_.file("starts") +
            "'\n"
            "answer() { printf 'volcrypt-plugin-helper 1\\nid=%s\\nrank=64\\nend\\n' "
            "\"$(basename \"$1\" .so)\" >&3; }\n"
            "case \"$2\" in\n"
            "probe-when-sent)\n"
            "  shift 2\n"
            "  for f in \"$@\"; do\n"
            "    case $f in *crash-at-load*) kill -SEGV $$;; esac\n"
            "    echo 'volcrypt-plugin-helper loaded' >&3\n"
            "  done\n"
            "  while read -r length; do\n"
            "    dd bs=1 count=\"$length\" of=/dev/null 2>/dev/null\n"
            "    for f in \"$@\"; do\n"
            "      case $f in *crash-at-probe*) kill -SEGV $$;; esac\n"
            "      answer \"$f\"\n"
            "    done\n"
            "  done;;\n"
            "probe-each)\n"
            "  first=$3\n"
            "  shift 22\n"
            "  for f in \"$first\" \"$@\"; do\n"
            "    case $f in *crash-at-*) kill -SEGV $$;; esac\n"
            "    answer \"$f\"\n"
            "  done;;\n"
            "esac\n");
    std::filesystem::permissions(program(), std::filesystem::perms(0755));
  }

  std::string program() const { return scratch_.file("helper"); }
  std::vector<std::string> starts() const {
    std::vector<std::string> lines;
    std::ifstream in(scratch_.file("starts"));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::vector<HelperOutcome> probe(const std::vector<std::string>& files,
                                   WaitingProbeHelper* waiting) const {
    return run_shared_helper(
        program(), files.size(),
        [&](size_t first) {
          return probe_each_arguments(HelperProbeJob{}, std::vector<std::filesystem::path>(
                                                            files.begin() + first, files.end()));
        },
        2000, waiting);
  }

 private:
  test_volumes::ScratchDir scratch_;
};

std::vector<std::string> ids_answered(const std::vector<HelperOutcome>& outcomes) {
  std::vector<std::string> ids;
  for (const HelperOutcome& outcome : outcomes) {
    ids.push_back(outcome.fate == HelperFate::answered ? outcome.answer.id : outcome.fate_text);
  }
  return ids;
}

TEST(WaitingProbeHelper, ServesJobAfterJobFromOneStart) {
  FakeProbeHelper fake;
  const std::vector<std::string> files = {"/p/a.so", "/p/b.so"};
  WaitingProbeHelper waiting(fake.program(), files);
  for (int call = 0; call < 3; ++call) {
    EXPECT_EQ(ids_answered(fake.probe(files, &waiting)), (std::vector<std::string>{"a", "b"}));
  }
  EXPECT_TRUE(waiting.usable());
  EXPECT_EQ(fake.starts(), std::vector<std::string>{"probe-when-sent"});
}

TEST(WaitingProbeHelper, ACrashWhileLoadingIsPutOnItsPluginByFreshHelpers) {
  FakeProbeHelper fake;
  const std::vector<std::string> files = {"/p/a.so", "/p/crash-at-load.so", "/p/c.so"};
  WaitingProbeHelper waiting(fake.program(), files);
  EXPECT_EQ(ids_answered(fake.probe(files, &waiting)),
            (std::vector<std::string>{"a", "crashed (signal 11)", "c"}));
  EXPECT_FALSE(waiting.usable());
  EXPECT_EQ(fake.starts(),
            (std::vector<std::string>{"probe-when-sent", "probe-each", "probe-each"}));
}

TEST(WaitingProbeHelper, ACrashWhileProbingCostsThatPluginsRowAndTheHelper) {
  FakeProbeHelper fake;
  const std::vector<std::string> files = {"/p/a.so", "/p/crash-at-probe.so", "/p/c.so"};
  WaitingProbeHelper waiting(fake.program(), files);
  EXPECT_EQ(ids_answered(fake.probe(files, &waiting)),
            (std::vector<std::string>{"a", "crashed (signal 11)", "c"}));
  EXPECT_FALSE(waiting.usable());
  EXPECT_EQ(fake.starts(), (std::vector<std::string>{"probe-when-sent", "probe-each"}));
}

}  // namespace
}  // namespace volcrypt

// How long a test waits for a call that should answer before it takes the call for hung:
// the bound exists only so that a hang fails the test instead of blocking the suite. Far
// beyond any answer on a loaded test machine, and never a measure of speed: timing is
// the benchmarks' business (tests/bench).
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <thread>

namespace volcrypt::test {

inline constexpr std::chrono::seconds kHangDeadline{120};

// Runs `call` (in this process) on a thread and waits up to kHangDeadline for it to
// return; says whether it did. If not, `unblock` is run until the call returns (it opens
// the FIFO the call waits on, say), so that the thread can be joined. What `call` throws
// is thrown here.
inline bool returns_before_hang_deadline(const std::function<void()>& call,
                                         const std::function<void()>& unblock) {
  std::promise<void> done;
  std::future<void> returned = done.get_future();
  std::thread thread([&] {
    try {
      call();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  const bool in_time = returned.wait_for(kHangDeadline) == std::future_status::ready;
  while (returned.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    unblock();
  }
  thread.join();
  returned.get();
  return in_time;
}

}  // namespace volcrypt::test

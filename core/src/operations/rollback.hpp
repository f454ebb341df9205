// Undo steps of one operation, run newest first when it does not commit; each swallows its
// own failure so the others still run. When every step succeeded the intent goes too;
// otherwise it stays for `recover`.
#pragma once

#include <functional>
#include <vector>

#include "operations/engine_context.hpp"
#include "operations/intent.hpp"

namespace volcrypt {

class Rollback {
 public:
  explicit Rollback(EngineContext& context) : context_(context) {}
  ~Rollback();
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;

  void add(std::function<void()> step) { steps_.push_back(std::move(step)); }
  void clear_intent_at_end(const IntentHeader* intent) { intent_ = intent; }
  void commit() { committed_ = true; }

 private:
  EngineContext& context_;
  std::vector<std::function<void()>> steps_;
  const IntentHeader* intent_ = nullptr;
  bool committed_ = false;
};

}  // namespace volcrypt

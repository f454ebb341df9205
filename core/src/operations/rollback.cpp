#include "operations/rollback.hpp"

#include "operations/intent_journal.hpp"

namespace volcrypt {

Rollback::~Rollback() {
  if (committed_) return;
  bool clean = true;
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    try {
      (*it)();
    } catch (const std::exception& e) {
      clean = false;
      context_.log(VOLCRYPT_LOG_ERROR, std::string("rollback step failed: ") + e.what());
    }
  }
  if (clean && intent_ != nullptr) {
    try {
      remove_intent(*intent_);
    } catch (const std::exception& e) {
      context_.log(VOLCRYPT_LOG_ERROR, std::string("cannot clear the intent: ") + e.what());
    }
  }
}

}  // namespace volcrypt

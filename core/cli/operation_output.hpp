// What attach and detach print for one volume, as text and as --json: shared by the
// single commands and their --batch form, so a script reads the same fields.
#pragma once

#include <ostream>
#include <volcrypt/types.hpp>

#include "json_output.hpp"

namespace volcrypt::cli {

struct Attached {
  AttachRequest request;
  AttachResult result;
};

struct Detached {
  DetachRequest request;
  DetachResult result;
};

Json json_of(const Attached& attached);
void write_text(std::ostream& out, const Attached& attached);
Json json_of(const Detached& detached);
void write_text(std::ostream& out, const Detached& detached);

}  // namespace volcrypt::cli

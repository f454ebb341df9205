// What attach and detach print for one volume, as text and as --json fields: shared by
// the single commands and their --batch form, so a script reads the same fields.
#pragma once

#include <ostream>
#include <volcrypt/types.hpp>

#include "json_writer.hpp"

namespace volcrypt::cli {

// The fields only, inside an object the caller opened.
void write_attach_json_fields(JsonWriter& json, const AttachRequest& request,
                              const AttachResult& result);
void write_attach_text(std::ostream& out, const AttachRequest& request, const AttachResult& result);
void write_detach_json_fields(JsonWriter& json, const DetachRequest& request,
                              const DetachResult& result);
void write_detach_text(std::ostream& out, const DetachRequest& request, const DetachResult& result);

}  // namespace volcrypt::cli

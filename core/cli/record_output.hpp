// A record in text and JSON form (attach and list print it).
#pragma once

#include <ostream>
#include <volcrypt/types.hpp>

#include "json_writer.hpp"

namespace volcrypt::cli {

void write_record_json(JsonWriter& json, const Record& record);
void write_record_text(std::ostream& out, const Record& record);

}  // namespace volcrypt::cli

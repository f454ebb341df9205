// A record in text and JSON form (attach and list print it).
#pragma once

#include <ostream>
#include <volcrypt/types.hpp>

#include "json_output.hpp"

namespace volcrypt::cli {

Json record_json(const Record& record);
void write_record_text(std::ostream& out, const Record& record);

}  // namespace volcrypt::cli

#include "json_output.hpp"

namespace volcrypt::cli {

void print_json(std::ostream& out, const Json& document) {
  // Text from hostile input (a path, a record) may not be UTF-8: replaced, never thrown.
  out << document.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace volcrypt::cli

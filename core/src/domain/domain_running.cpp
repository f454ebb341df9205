#include "domain/domain_running.hpp"

#include <string_view>

namespace volcrypt {

bool xml_says_running(const std::string& current_domain_xml) {
  const std::string_view text = current_domain_xml;
  const size_t root = text.find("<domain");
  if (root == std::string_view::npos) return false;
  const size_t end = text.find('>', root);
  // Only the root's own start tag: a quoted attribute value cannot hold a bare quote, so
  // " id=" there starts an attribute, and elements below may have ids of their own.
  const std::string_view start_tag =
      text.substr(root, end == std::string_view::npos ? end : end - root);
  return start_tag.find(" id='") != std::string_view::npos ||
         start_tag.find(" id=\"") != std::string_view::npos;
}

}  // namespace volcrypt

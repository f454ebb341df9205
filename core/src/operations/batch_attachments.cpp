#include "operations/batch_attachments.hpp"

#include <map>
#include <string>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

#include "base/file_identity.hpp"

namespace volcrypt {
namespace {

std::string request_name(size_t index) { return "batch request " + std::to_string(index); }

std::string volume_text(const VolumeSpec& volume) {
  return "volume " + volume.volume_id + " ('" + printable_text(volume.source_path) + "')";
}

}  // namespace

void require_batch_attaches_once(const std::vector<AttachRequest>& requests) {
  // The first request of each volume id and of each file: a later one that is not
  // shareable, or whose first is not, is refused, so every earlier one of a volume that
  // got past this is shareable.
  std::map<std::string, size_t> first_of_id;
  std::map<FileIdentity, size_t> first_of_file;
  FileIdentities files;
  for (size_t index = 0; index < requests.size(); ++index) {
    const AttachRequest& request = requests[index];
    const auto [by_id, new_id] = first_of_id.emplace(request.volume.volume_id, index);
    const auto [by_file, new_file] =
        first_of_file.emplace(files.of(request.volume.source_path), index);
    for (const size_t earlier :
         {new_id ? index : by_id->second, new_file ? index : by_file->second}) {
      if (earlier == index || (request.shareable && requests[earlier].shareable)) continue;
      throw Error(ErrorKind::busy,
                  request_name(index) + ": " + volume_text(request.volume) + " is the volume of " +
                      request_name(earlier) + " (" + volume_text(requests[earlier].volume) +
                      "); a volume attached twice needs \"shareable\": true in both requests");
    }
  }
}

}  // namespace volcrypt

#include "attachment_model.hpp"

namespace volcrypt::test {

std::set<int> AttachmentModel::at(const Place& place) const {
  auto found = possible_.find(place);
  return found == possible_.end() ? std::set<int>{kNothing} : found->second;
}

std::set<int>& AttachmentModel::possibilities(const Place& place) {
  return possible_.try_emplace(place, std::set<int>{kNothing}).first->second;
}

std::vector<Place> AttachmentModel::places_of(int volume) const {
  std::vector<Place> out;
  for (const auto& [place, volumes] : possible_) {
    if (volumes.contains(volume)) out.push_back(place);
  }
  return out;
}

std::vector<Place> AttachmentModel::occupied() const {
  std::vector<Place> out;
  for (const auto& [place, volumes] : possible_) {
    if (volumes != std::set<int>{kNothing}) out.push_back(place);
  }
  return out;
}

std::string describe(const std::set<int>& volumes) {
  std::string out;
  for (int volume : volumes) {
    out += out.empty() ? "{" : ", ";
    out += volume == AttachmentModel::kNothing ? "nothing" : "v" + std::to_string(volume);
  }
  return out + "}";
}

}  // namespace volcrypt::test

// What a chaos test knows about where its volumes are attached: a call that finished
// (exit 0) makes a place certain, a killed call only adds what it may have left there,
// and `recover` must settle each place on one of its possibilities.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace volcrypt::test {

// A target of one of the test's domains (by index).
struct Place {
  int domain = 0;
  std::string target;
  auto operator<=>(const Place&) const = default;
};

class AttachmentModel {
 public:
  static constexpr int kNothing = -1;  // no disk and no record there

  // A call that finished: the place holds exactly this now.
  void attached(const Place& place, int volume) { possible_[place] = {volume}; }
  void detached(const Place& place) { possible_[place] = {kNothing}; }
  // A killed call: it may or may not have got that far.
  void maybe_attached(const Place& place, int volume) { possibilities(place).insert(volume); }
  void maybe_detached(const Place& place) { possibilities(place).insert(kNothing); }

  // What may be at the place: volume indices, or kNothing.
  std::set<int> at(const Place& place) const;
  // The places where the volume may be attached.
  std::vector<Place> places_of(int volume) const;
  // The places where something may be attached.
  std::vector<Place> occupied() const;

 private:
  std::set<int>& possibilities(const Place& place);
  std::map<Place, std::set<int>> possible_;
};

// The possibilities by volume index, e.g. "{nothing, v0}".
std::string describe(const std::set<int>& volumes);

}  // namespace volcrypt::test

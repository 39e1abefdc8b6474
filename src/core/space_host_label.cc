#include "core/space_host_label.h"

namespace spacehub {

std::string SpaceHostLabel(std::string_view ns, std::string_view name) {
  std::string out;
  out.reserve(ns.size() + 1 + name.size());
  auto add = [&out](std::string_view part) {
    for (char c : part) {
      if (c >= 'A' && c <= 'Z') {
        out.push_back(static_cast<char>(c - 'A' + 'a'));
      } else {
        out.push_back(c == '_' || c == '.' ? '-' : c);
      }
    }
  };
  add(ns);
  out.push_back('-');
  add(name);
  return out;
}

}  // namespace spacehub

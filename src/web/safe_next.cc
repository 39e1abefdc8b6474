#include "web/safe_next.h"

namespace spacehub::web {

std::string SafeNext(std::string_view next) {
  if (next.empty() || next[0] != '/') return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "/";
  }
  return std::string(next);
}

}  // namespace spacehub::web

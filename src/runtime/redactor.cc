#include "runtime/redactor.h"

#include <algorithm>

namespace spacehub::runtime {

Redactor::Redactor(std::vector<std::string> secret_values) {
  for (auto& v : secret_values) {
    if (!v.empty()) values_.push_back(std::move(v));
  }
  std::sort(values_.begin(), values_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
}

std::string Redactor::Apply(std::string_view text) const {
  std::string out(text);
  for (const auto& v : values_) {
    size_t pos = 0;
    while ((pos = out.find(v, pos)) != std::string::npos) {
      out.replace(pos, v.size(), "***");
      pos += 3;
    }
  }
  return out;
}

}  // namespace spacehub::runtime

// Redactor: replaces every occurrence of a Space's secret values in text that leaves the runtime
// (build and run logs, errorMessage) with "***". Longer values are replaced first so a secret
// that contains another is hidden whole. Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spacehub::runtime {

class Redactor final {
 public:
  Redactor() = default;
  explicit Redactor(std::vector<std::string> secret_values);

  std::string Apply(std::string_view text) const;
  bool empty() const { return values_.empty(); }

 private:
  std::vector<std::string> values_;  // non-empty, longest first
};

}  // namespace spacehub::runtime

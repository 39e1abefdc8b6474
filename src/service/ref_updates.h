// What git receive-pack tells the pre-receive hook (one "<old> <new> <ref>" line per ref the push
// moves) and the rule a pushed ref name must follow (push_rules.h). Pure; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace spacehub::service {

struct RefUpdate {
  std::string old_id;
  std::string new_id;  // all zeros: a deletion
  std::string ref;
};

// The ref-name rule alone: only refs/heads/* and refs/tags/*, no "..", no empty component or one
// beginning with '-' or '.'. Empty when allowed, else the reason.
std::string CheckPushedRefName(const std::string& ref);

// Parses the hook's stdin ("<old> <new> <ref>" lines; ids lowercase hex).
Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view text);

}  // namespace spacehub::service

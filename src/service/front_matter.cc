#include "service/front_matter.h"

#include <yaml-cpp/yaml.h>

namespace spacehub::service {
namespace {

// YAML aliases share nodes, JSON copies them: a few hundred bytes of nested aliases ("billion
// laughs") would expand to billions of values, and an alias inside its own anchor (`a: &x [*x]`)
// is a cycle that would recurse until the stack overflows (the whole hub). The front matter of a
// real README has hundreds of values, a few levels deep.
constexpr size_t kMaxValues = 100'000;
constexpr int kMaxDepth = 64;

struct TooLarge {
  const char* what;
};

nlohmann::json ToJson(const YAML::Node& node, size_t& budget, int depth) {
  if (budget == 0) throw TooLarge{"has more than 100000 values (aliases count once per use)"};
  if (depth > kMaxDepth)
    throw TooLarge{"is nested more than 64 levels deep (or an alias refers to itself)"};
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node)
        obj[kv.first.as<std::string>()] = ToJson(kv.second, budget, depth + 1);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(ToJson(item, budget, depth + 1));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      // Untagged plain scalars follow YAML 1.2 core-schema typing, as the Hub's parser does;
      // quoted scalars (tag "!") stay strings.
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;
      bool b;
      if (s == "true" || s == "True" || s == "false" || s == "False") {
        return YAML::convert<bool>::decode(node, b) ? nlohmann::json(b) : nlohmann::json(s);
      }
      if (s == "null" || s == "~") return nullptr;
      int64_t i;
      if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-') &&
          YAML::convert<int64_t>::decode(node, i)) {
        return i;
      }
      double d;
      if (!s.empty() &&
          (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.') &&
          YAML::convert<double>::decode(node, d)) {
        return d;
      }
      return s;
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> ExtractFrontMatter(std::string_view readme) {
  if (readme.substr(0, 3) == "\xEF\xBB\xBF") readme.remove_prefix(3);  // UTF-8 BOM
  auto first_line_end = readme.find('\n');
  if (first_line_end == std::string_view::npos) return std::nullopt;
  std::string_view first = readme.substr(0, first_line_end);
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  if (first != "---") return std::nullopt;
  size_t pos = first_line_end + 1;
  while (pos <= readme.size()) {
    size_t end = readme.find('\n', pos);
    std::string_view line =
        readme.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "---")
      return std::string(readme.substr(first_line_end + 1, pos - first_line_end - 1));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

Result<nlohmann::json> ParseFrontMatter(std::string_view readme) {
  auto yaml = ExtractFrontMatter(readme);
  if (!yaml) return nlohmann::json(nullptr);
  try {
    YAML::Node node = YAML::Load(*yaml);
    if (node.IsNull()) return nlohmann::json::object();
    if (!node.IsMap()) {
      return Status::InvalidArgument(
          "README front matter must be a YAML mapping of keys to values");
    }
    size_t budget = kMaxValues;
    return ToJson(node, budget, 0);
  } catch (const TooLarge& e) {
    return Status::InvalidArgument(std::string("README front matter ") + e.what);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("Invalid YAML in README front matter: ") + e.what());
  }
}

}  // namespace spacehub::service

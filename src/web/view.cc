#include "web/view.h"

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>

#include "web/assets.h"

namespace spacehub::web {
namespace {

namespace mustache = kainjow::mustache;

std::string TemplatePath(std::string_view name) {
  return "templates/" + std::string(name) + ".mustache";
}

mustache::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mustache::data d{mustache::data::type::list};
      for (const auto& v : j) d.push_back(ToData(v));
      return d;
    }
    case nlohmann::json::value_t::string:
      // An empty string is false in a section (`{{#storage}}`), as in the other Mustache
      // implementations; as a value it renders the same nothing.
      if (j.get_ref<const std::string&>().empty())
        return mustache::data{mustache::data::type::bool_false};
      return mustache::data{j.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mustache::data{j.get<bool>() ? mustache::data::type::bool_true
                                          : mustache::data::type::bool_false};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return mustache::data{mustache::data::type::bool_false};
    default:
      return mustache::data{j.dump()};
  }
}

// The parsed template `name`, parsed once per thread.
Result<mustache::mustache*> Parsed(std::string_view name) {
  thread_local std::map<std::string, std::unique_ptr<mustache::mustache>, std::less<>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  const EmbeddedFile* file = FindEmbedded(TemplatePath(name));
  if (!file) return Status::Internal("no view named " + std::string(name));
  auto parsed = std::make_unique<mustache::mustache>(std::string(file->data));
  if (!parsed->is_valid()) {
    return Status::Internal("view " + std::string(name) + ": " + parsed->error_message());
  }
  return cache.emplace(std::string(name), std::move(parsed)).first->second.get();
}

// Every template, as a partial of every other ("templates/x.mustache" is the partial "x").
void AddPartials(mustache::data& data) {
  static const std::vector<std::pair<std::string, std::string_view>> kPartials = [] {
    std::vector<std::pair<std::string, std::string_view>> out;
    constexpr std::string_view kPrefix = "templates/", kSuffix = ".mustache";
    for (const EmbeddedFile* f : EmbeddedUnder(kPrefix)) {
      std::string_view n = f->name.substr(kPrefix.size());
      if (n.ends_with(kSuffix)) out.emplace_back(n.substr(0, n.size() - kSuffix.size()), f->data);
    }
    return out;
  }();
  for (const auto& [name, text] : kPartials) {
    if (data.get(name) != nullptr) continue;  // the page's own value of that name wins
    data.set(name, mustache::partial{[text = text] { return std::string(text); }});
  }
}

}  // namespace

Result<std::string> RenderView(std::string_view name, const nlohmann::json& data) {
  SH_ASSIGN_OR_RETURN(mustache::mustache * view, Parsed(name));
  mustache::data d = ToData(data);
  if (d.is_object()) AddPartials(d);
  std::string out = view->render(d);
  if (!view->is_valid()) {
    return Status::Internal("view " + std::string(name) + ": " + view->error_message());
  }
  return out;
}

}  // namespace spacehub::web

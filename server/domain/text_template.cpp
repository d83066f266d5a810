#include "domain/text_template.hpp"

#include <functional>
#include <vector>

namespace licensor::server {
namespace {

enum class tag_kind { value, section_if, section_unless, section_end };

// Walks `text`: `literal(part, visible)` for the text between tags, `tag(kind, name, visible)` for
// each tag, where `visible` says whether every section around it is shown (`shown(kind, name)`
// decides for a section's opening). Returns the template's problem, or empty.
std::string template_walk(std::string_view text, const std::function<bool(tag_kind, const std::string&)>& shown,
                          const std::function<void(std::string_view, bool)>& literal,
                          const std::function<void(tag_kind, const std::string&, bool)>& tag) {
  struct open_section {
    std::string name;
    bool visible;
  };
  std::vector<open_section> open;
  const auto visible = [&open] { return open.empty() || open.back().visible; };
  std::size_t at = 0;
  while (at < text.size()) {
    const auto start = text.find("{{", at);
    if (start == std::string_view::npos) {
      literal(text.substr(at), visible());
      break;
    }
    literal(text.substr(at, start - at), visible());
    const auto end = text.find("}}", start + 2);
    if (end == std::string_view::npos) return "a '{{' is never closed by '}}'";
    auto inside = text.substr(start + 2, end - start - 2);
    auto kind = tag_kind::value;
    if (!inside.empty() && (inside.front() == '#' || inside.front() == '^' || inside.front() == '/')) {
      kind = inside.front() == '#' ? tag_kind::section_if : inside.front() == '^' ? tag_kind::section_unless : tag_kind::section_end;
      inside.remove_prefix(1);
    }
    std::string name(inside);
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      return "'{{" + std::string(text.substr(start + 2, end - start - 2)) +
             "}}' is not a placeholder: names are lower-case letters, digits and '_'";
    switch (kind) {
      case tag_kind::value:
        tag(kind, name, visible());
        break;
      case tag_kind::section_if:
      case tag_kind::section_unless:
        tag(kind, name, visible());
        open.push_back({name, visible() && shown(kind, name)});
        break;
      case tag_kind::section_end:
        if (open.empty() || open.back().name != name) return "'{{/" + name + "}}' closes a section that is not open";
        open.pop_back();
        tag(kind, name, visible());
        break;
    }
    at = end + 2;
  }
  if (!open.empty()) return "the section '" + open.back().name + "' is never closed";
  return {};
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

result<std::string> text_template_render(std::string_view text, const template_values& values, template_escaping escaping) {
  std::string out;
  out.reserve(text.size() + 256);
  bool missing = false;
  const auto value_of = [&](const std::string& name) -> const std::string* {
    const auto it = values.find(name);
    if (it == values.end()) {
      missing = true;
      return nullptr;
    }
    return &it->second;
  };
  const auto problem = template_walk(
      text,
      [&](tag_kind kind, const std::string& name) {
        const auto* value = value_of(name);
        const bool empty = value == nullptr || value->empty();
        return kind == tag_kind::section_if ? !empty : empty;
      },
      [&](std::string_view part, bool visible) {
        if (visible) out.append(part);
      },
      [&](tag_kind kind, const std::string& name, bool visible) {
        if (kind != tag_kind::value) return;
        const auto* value = value_of(name);
        if (!visible || value == nullptr) return;
        out += escaping == template_escaping::html ? html_escape(*value) : *value;
      });
  if (!problem.empty() || missing) return errc::bad_request;
  return out;
}

result<std::set<std::string>> text_template_names(std::string_view text) {
  std::set<std::string> names;
  const auto problem = template_walk(
      text, [](tag_kind, const std::string&) { return true; }, [](std::string_view, bool) {},
      [&](tag_kind, const std::string& name, bool) { names.insert(name); });
  if (!problem.empty()) return errc::bad_request;
  return names;
}

std::string text_template_problem(std::string_view text) {
  return template_walk(
      text, [](tag_kind, const std::string&) { return true; }, [](std::string_view, bool) {},
      [](tag_kind, const std::string&, bool) {});
}

}  // namespace licensor::server

#include "report/html_cells.h"

#include <cstdio>

#include "report/html_escape.h"

namespace redline {

std::string Fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

std::string Percent(double v) { return Fixed(100 * v, 1) + "%"; }

std::string IntervalText(double low, double high) {
  return Percent(low) + " – " + Percent(high);
}

std::string Td(const std::string& text, const std::string& cls, const std::string& field) {
  std::string out = "<td";
  if (!cls.empty()) out += " class=\"" + cls + "\"";
  if (!field.empty()) out += " data-field=\"" + field + "\"";
  return out + ">" + HtmlEscape(text) + "</td>";
}

std::string Th(const std::vector<std::string>& headers) {
  std::string out = "<tr>";
  for (const std::string& h : headers) out += "<th>" + HtmlEscape(h) + "</th>";
  return out + "</tr>";
}

}  // namespace redline

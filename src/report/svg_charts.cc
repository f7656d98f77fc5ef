#include "report/svg_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/distribution.h"
#include "report/html_escape.h"

namespace redline {
namespace {

constexpr int kWidth = 640;
constexpr int kLabelWidth = 200;  // left column of row labels
constexpr int kPlotWidth = kWidth - kLabelWidth - 70;
constexpr int kRow = 22;

std::string F(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string Short(double v) {
  char buffer[32];
  // Whole numbers and anything from 100 up read best without decimals.
  if ((std::fabs(v - std::round(v)) < 1e-9 || std::fabs(v) >= 100) && std::fabs(v) < 1e15)
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

std::string Open(int height) {
  return "<svg class=\"chart\" width=\"" +
         std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
         "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
         std::to_string(height) + "\" role=\"img\">";
}

std::string Text(double x, double y, const std::string& text,
                 const std::string& anchor = "start", const std::string& cls = "") {
  return "<text x=\"" + F(x) + "\" y=\"" + F(y) + "\" text-anchor=\"" + anchor +
         "\"" + (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" +
         HtmlEscape(text) + "</text>";
}

std::string Rect(double x, double y, double w, double h, const std::string& cls) {
  return "<rect x=\"" + F(x) + "\" y=\"" + F(y) + "\" width=\"" +
         F(std::max(0.0, w)) + "\" height=\"" + F(h) + "\" class=\"" + cls + "\"/>";
}

std::string LineEl(double x1, double y1, double x2, double y2, const std::string& cls) {
  return "<line x1=\"" + F(x1) + "\" y1=\"" + F(y1) + "\" x2=\"" + F(x2) +
         "\" y2=\"" + F(y2) + "\" class=\"" + cls + "\"/>";
}

// Labels longer than the label column are cut, the full text in a tooltip.
std::string RowLabel(double y, const std::string& label) {
  std::string shown = label.size() > 30 ? label.substr(0, 29) + "…" : label;
  return "<g><title>" + HtmlEscape(label) + "</title>" +
         Text(kLabelWidth - 6, y, shown, "end") + "</g>";
}

}  // namespace

std::string RateBarsSvg(const std::vector<RateBar>& bars) {
  int height = static_cast<int>(bars.size()) * kRow + 30;
  std::string out = Open(height);
  for (int tick = 0; tick <= 100; tick += 25) {
    double x = kLabelWidth + kPlotWidth * tick / 100.0;
    out += LineEl(x, 0, x, height - 20, "grid");
    out += Text(x, height - 6, std::to_string(tick) + "%", "middle", "axis");
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const RateBar& b = bars[i];
    double y = i * kRow + 4;
    out += RowLabel(y + 13, b.label);
    out += Rect(kLabelWidth, y, kPlotWidth * b.rate, kRow - 8, "bar");
    double lo = kLabelWidth + kPlotWidth * b.low, hi = kLabelWidth + kPlotWidth * b.high;
    double mid = y + (kRow - 8) / 2.0;
    out += LineEl(lo, mid, hi, mid, "whisker") + LineEl(lo, y, lo, y + kRow - 8, "whisker") +
           LineEl(hi, y, hi, y + kRow - 8, "whisker");
    out += Text(kLabelWidth + kPlotWidth + 6, y + 13, b.note, "start", "axis");
  }
  return out + "</svg>";
}

std::string CountBarsSvg(const std::vector<std::pair<std::string, double>>& bars) {
  double top = 0;
  for (const auto& bar : bars) top = std::max(top, bar.second);
  if (top <= 0) top = 1;
  int height = static_cast<int>(bars.size()) * kRow + 8;
  std::string out = Open(height);
  for (size_t i = 0; i < bars.size(); ++i) {
    double y = i * kRow + 4;
    out += RowLabel(y + 13, bars[i].first);
    out += Rect(kLabelWidth, y, kPlotWidth * bars[i].second / top, kRow - 8, "bar");
    out += Text(kLabelWidth + kPlotWidth * bars[i].second / top + 4, y + 13,
                Short(bars[i].second), "start", "axis");
  }
  return out + "</svg>";
}

std::string BoxPlotsSvg(
    const std::vector<std::pair<std::string, std::vector<double>>>& groups,
    const std::string& unit) {
  double top = 0;
  for (const auto& g : groups)
    for (double v : g.second) top = std::max(top, v);
  if (top <= 0) top = 1;
  auto X = [&](double v) { return kLabelWidth + kPlotWidth * v / top; };
  int height = static_cast<int>(groups.size()) * kRow + 30;
  std::string out = Open(height);
  for (int tick = 0; tick <= 4; ++tick) {
    double v = top * tick / 4;
    out += LineEl(X(v), 0, X(v), height - 20, "grid");
    out += Text(X(v), height - 6, Short(v) + (tick == 4 ? " " + unit : ""), "middle",
                "axis");
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    double y = i * kRow + 4, h = kRow - 8, mid = y + h / 2;
    out += RowLabel(y + 13, groups[i].first);
    Distribution d = Summarise(groups[i].second);
    if (d.n == 0) {
      out += Text(kLabelWidth + 4, y + 13, "no data", "start", "axis");
      continue;
    }
    out += "<g><title>" +
           HtmlEscape("n=" + std::to_string(d.n) + " min=" + Short(d.min) +
                      " p25=" + Short(d.p25) + " median=" + Short(d.median) +
                      " p75=" + Short(d.p75) + " max=" + Short(d.max) +
                      " mean=" + Short(d.mean)) +
           "</title>";
    out += LineEl(X(d.min), mid, X(d.max), mid, "whisker");
    out += Rect(X(d.p25), y, X(d.p75) - X(d.p25), h, "box");
    out += LineEl(X(d.median), y, X(d.median), y + h, "median");
    out += "<circle cx=\"" + F(X(d.mean)) + "\" cy=\"" + F(mid) + "\" r=\"3\" class=\"mean\"/>";
    out += "</g>";
    out += Text(kLabelWidth + kPlotWidth + 6, y + 13, "median " + Short(d.median),
                "start", "axis");
  }
  return out + "</svg>";
}

std::string LineChartSvg(const std::vector<Series>& series, const std::string& x_label,
                         const std::string& y_label) {
  size_t steps = 0;
  double top = 0;
  for (const Series& s : series) {
    steps = std::max(steps, s.values.size());
    for (double v : s.values) top = std::max(top, v);
  }
  if (top <= 0) top = 1;
  if (steps < 2) steps = 2;
  const double left = 60, right = kWidth - 20, bottom = 200, upper = 10;
  auto X = [&](size_t i) { return left + (right - left) * i / (steps - 1); };
  auto Y = [&](double v) { return bottom - (bottom - upper) * v / top; };
  std::string out = Open(250);
  for (int tick = 0; tick <= 4; ++tick) {
    double v = top * tick / 4;
    out += LineEl(left, Y(v), right, Y(v), "grid") + Text(left - 4, Y(v) + 4, Short(v), "end", "axis");
  }
  out += Text(left, bottom + 16, "1", "middle", "axis") +
         Text(right, bottom + 16, std::to_string(steps), "middle", "axis");
  out += Text((left + right) / 2, bottom + 16, x_label, "middle", "axis");
  out += Text(left, upper + 2, y_label, "start", "axis");
  double legend_x = left + 10;
  for (const Series& s : series) {
    std::string points;
    for (size_t i = 0; i < s.values.size(); ++i)
      points += F(X(i)) + "," + F(Y(s.values[i])) + " ";
    out += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + HtmlEscape(s.colour) +
           "\" points=\"" + points + "\"/>";
    out += "<rect x=\"" + F(legend_x) + "\" y=\"228\" width=\"12\" height=\"4\" fill=\"" +
           HtmlEscape(s.colour) + "\"/>";
    out += Text(legend_x + 16, 234, s.label, "start", "axis");
    legend_x += 220;
  }
  return out + "</svg>";
}

}  // namespace redline

#include "console/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/base/text.h"

namespace frontdesk {
namespace {

constexpr int kWidth = 640, kHeight = 220;
constexpr int kLeft = 44, kRight = 12, kTop = 14, kBottom = 40;
const char* kColours[] = {"#1f5fbf", "#2e9d4f", "#d98c1f", "#b3261e", "#7a4cc2", "#5b6673"};

std::string Num(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A "nice" top of the axis at or above `max`: 1, 2 or 5 times a power of ten.
double NiceTop(double max) {
  if (max <= 0) return 1;
  double power = std::pow(10.0, std::floor(std::log10(max)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

std::string Open(const ChartData& d) {
  return "<svg class=\"chart\" role=\"img\" aria-label=\"" + HtmlEscape(d.title) + "\" viewBox=\"0 0 " +
         std::to_string(kWidth) + " " + std::to_string(kHeight) + "\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(kHeight) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
}

// The y axis with three grid lines, and the labels along x (thinned so
// they do not overlap).
std::string Axes(const ChartData& d, double top) {
  std::string out;
  const int plot_h = kHeight - kTop - kBottom, plot_w = kWidth - kLeft - kRight;
  for (int i = 0; i <= 2; ++i) {
    double value = top * i / 2;
    int y = kTop + plot_h - plot_h * i / 2;
    out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kWidth - kRight) + "\" y1=\"" +
           std::to_string(y) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"#d9dee4\"/>";
    out += "<text x=\"" + std::to_string(kLeft - 4) + "\" y=\"" + std::to_string(y + 4) +
           "\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6673\">" + Num(value, value < 10 && top < 10 ? 1 : 0) +
           HtmlEscape(d.unit) + "</text>";
  }
  const size_t n = d.labels.size();
  // At most seven labels, and a day as "11-23": they must not overlap.
  const size_t every = std::max<size_t>(1, (n + 6) / 7);
  for (size_t i = 0; i < n; i += every) {
    double x = kLeft + plot_w * (i + 0.5) / std::max<size_t>(n, 1);
    const std::string& l = d.labels[i];
    std::string shown = l.size() == 10 && l[4] == '-' && l[7] == '-' ? l.substr(5) : l;
    out += "<text x=\"" + Num(x, 1) + "\" y=\"" + std::to_string(kHeight - kBottom + 14) +
           "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5b6673\">" + HtmlEscape(shown) + "</text>";
  }
  return out;
}

std::string Legend(const ChartData& d) {
  std::string out;
  int x = kLeft;
  for (size_t s = 0; s < d.series.size(); ++s) {
    out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(kHeight - 14) +
           "\" width=\"10\" height=\"10\" fill=\"" + kColours[s % 6] + "\"/><text x=\"" + std::to_string(x + 14) +
           "\" y=\"" + std::to_string(kHeight - 5) + "\" font-size=\"11\" fill=\"#1d232b\">" +
           HtmlEscape(d.series[s].name) + "</text>";
    x += 24 + 7 * static_cast<int>(d.series[s].name.size());
  }
  return out;
}

}  // namespace

std::string StackedBars(const ChartData& d) {
  const size_t n = d.labels.size();
  double max = 0;
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (const ChartSeries& s : d.series) sum += i < s.values.size() ? s.values[i].value_or(0) : 0;
    max = std::max(max, sum);
  }
  const double top = NiceTop(max);
  const int plot_h = kHeight - kTop - kBottom, plot_w = kWidth - kLeft - kRight;
  std::string out = Open(d) + "<title>" + HtmlEscape(d.title) + "</title>" + Axes(d, top);
  const double slot = static_cast<double>(plot_w) / std::max<size_t>(n, 1);
  const double bar = std::max(1.0, slot * 0.7);
  for (size_t i = 0; i < n; ++i) {
    double base = 0;
    for (size_t s = 0; s < d.series.size(); ++s) {
      double v = i < d.series[s].values.size() ? d.series[s].values[i].value_or(0) : 0;
      if (v <= 0) continue;
      double y0 = kTop + plot_h - plot_h * (base + v) / top, h = plot_h * v / top;
      out += "<rect x=\"" + Num(kLeft + slot * i + (slot - bar) / 2, 1) + "\" y=\"" + Num(y0, 1) + "\" width=\"" +
             Num(bar, 1) + "\" height=\"" + Num(h, 1) + "\" fill=\"" + kColours[s % 6] + "\"><title>" +
             HtmlEscape(d.labels[i] + " " + d.series[s].name + ": " + Num(v, 0) + d.unit) + "</title></rect>";
      base += v;
    }
  }
  return out + Legend(d) + "</svg>";
}

std::string Lines(const ChartData& d, std::optional<double> y_max) {
  const size_t n = d.labels.size();
  double max = 0;
  for (const ChartSeries& s : d.series)
    for (const auto& v : s.values) max = std::max(max, v.value_or(0));
  const double top = y_max ? *y_max : NiceTop(max);
  const int plot_h = kHeight - kTop - kBottom, plot_w = kWidth - kLeft - kRight;
  std::string out = Open(d) + "<title>" + HtmlEscape(d.title) + "</title>" + Axes(d, top);
  for (size_t s = 0; s < d.series.size(); ++s) {
    std::string path, dots;
    bool pen_down = false;
    for (size_t i = 0; i < n && i < d.series[s].values.size(); ++i) {
      const std::optional<double>& v = d.series[s].values[i];
      if (!v) {
        pen_down = false;  // a gap, not a fall to zero
        continue;
      }
      double x = kLeft + plot_w * (i + 0.5) / std::max<size_t>(n, 1);
      double y = kTop + plot_h - plot_h * std::min(*v, top) / top;
      path += (pen_down ? " L" : " M") + Num(x, 1) + " " + Num(y, 1);
      pen_down = true;
      dots += "<circle cx=\"" + Num(x, 1) + "\" cy=\"" + Num(y, 1) + "\" r=\"2.5\" fill=\"" + kColours[s % 6] +
              "\"><title>" + HtmlEscape(d.labels[i] + " " + d.series[s].name + ": " + Num(*v, 1) + d.unit) +
              "</title></circle>";
    }
    if (!path.empty()) {
      out += "<path d=\"" + path.substr(1) + "\" fill=\"none\" stroke=\"" + kColours[s % 6] + "\" stroke-width=\"2\"/>";
    }
    out += dots;
  }
  return out + Legend(d) + "</svg>";
}

std::string ChartTable(const ChartData& d, int decimals) {
  std::string out = "<table class=\"figures\"><caption>" + HtmlEscape(d.title) + "</caption><thead><tr><th></th>";
  for (const ChartSeries& s : d.series) out += "<th>" + HtmlEscape(s.name) + "</th>";
  out += "</tr></thead><tbody>";
  for (size_t i = 0; i < d.labels.size(); ++i) {
    out += "<tr><th>" + HtmlEscape(d.labels[i]) + "</th>";
    for (const ChartSeries& s : d.series) {
      const std::optional<double> v = i < s.values.size() ? s.values[i] : std::nullopt;
      out += "<td>" + (v ? Num(*v, decimals) + HtmlEscape(d.unit) : std::string("-")) + "</td>";
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

}  // namespace frontdesk

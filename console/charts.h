// charts.h: the dashboard's charts, drawn on the server as SVG: no chart
// library and no script. Colours are presentation attributes (fill,
// stroke), which the console's Content-Security-Policy allows; there is no
// style attribute. Each chart is given the very numbers the report
// computed, and each is shown beside a table of them, so a chart never
// says what the table does not. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace frontdesk {

// One named series of values, one per label; none for a gap.
struct ChartSeries {
  std::string name;
  std::vector<std::optional<double>> values;
};

struct ChartData {
  std::string title;  // also the SVG's accessible name
  std::vector<std::string> labels;  // along the x axis
  std::vector<ChartSeries> series;
  std::string unit;  // "", "%", "h": shown on the axis and in tooltips
};

// Bars stacked per label (tickets by channel, the backlog by age).
std::string StackedBars(const ChartData& data);
// Lines, one per series (compliance, response times).
std::string Lines(const ChartData& data, std::optional<double> y_max = std::nullopt);
// The figures as a table: a row per label, a column per series.
std::string ChartTable(const ChartData& data, int decimals = 0);

}  // namespace frontdesk

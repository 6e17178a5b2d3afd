#include "console/charts.h"

#include <catch2/catch.hpp>


#include "console/dashboard_page.h"

namespace frontdesk {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

KpiReport TwoDays() {
  KpiReport r;
  KpiGroup monday, tuesday;
  monday.label = "2026-11-23";
  monday.figures.received_by_channel = {{"email", 3}, {"web", 1}};
  monday.figures.received = 4;
  monday.figures.sla_compliance = {3, 4};
  monday.figures.first_response_business = {2, 5400, 3600, 7200};
  tuesday.label = "2026-11-24";
  tuesday.figures.received_by_channel = {{"api", 2}};
  tuesday.figures.received = 2;
  PolicyStandard standard{"std", {"first_response", 90, std::chrono::hours(24 * 7), "7d"}};
  monday.figures.standards = {{standard, {3, 4}}};
  tuesday.figures.standards = {{standard, {0, 0}}};
  r.groups = {monday, tuesday};
  r.total.standards = {{standard, {3, 4}}};
  r.total.satisfaction_distribution = {{1, 2}, {5, 7}};
  r.backlog.by_age = {{"under_1d", 5}, {"over_30d", 1}};
  return r;
}

TEST_CASE("the dashboard's charts hold the report's numbers", "[console][charts]") {
  std::vector<ChartData> charts = DashboardCharts(TwoDays());
  REQUIRE(charts.size() == 6);
  const ChartData& received = charts[0];
  CHECK(received.labels == std::vector<std::string>{"2026-11-23", "2026-11-24"});
  REQUIRE(received.series.size() == 3);
  CHECK(received.series[0].name == "email");
  CHECK(*received.series[0].values[0] == 3);
  CHECK(*received.series[1].values[0] == 1);
  CHECK(*received.series[2].values[1] == 2);
  const ChartData& backlog = charts[1];
  CHECK(*backlog.series[0].values[0] == 5);
  CHECK(*backlog.series[0].values[4] == 1);
  const ChartData& compliance = charts[2];
  REQUIRE(compliance.series.size() == 2);
  CHECK(*compliance.series[0].values[0] == Approx(75.0));
  CHECK_FALSE(compliance.series[0].values[1].has_value());  // nothing decided: a gap, not 0 %
  CHECK(compliance.series[1].name == "std/first_response");
  CHECK(*compliance.series[1].values[0] == Approx(75.0));
  const ChartData& first = charts[3];
  CHECK(*first.series[0].values[0] == Approx(1.0));  // the median, 3600 s
  CHECK(*first.series[1].values[0] == Approx(2.0));  // p90
  CHECK_FALSE(first.series[0].values[1].has_value());
  const ChartData& satisfaction = charts[5];
  CHECK(satisfaction.labels == std::vector<std::string>{"1", "5"});
  CHECK(*satisfaction.series[0].values[1] == 7);
}

TEST_CASE("bars and lines are plain SVG with the values in their titles", "[console][charts]") {
  ChartData d{"Tickets <by> channel", {"Mon", "Tue", "Wed"}, {{"email", {3, 0, 2}}, {"web", {1, std::nullopt, 4}}}, ""};
  std::string bars = StackedBars(d);
  CHECK(bars.rfind("<svg", 0) == 0);
  CHECK(bars.find("aria-label=\"Tickets &lt;by&gt; channel\"") != std::string::npos);
  CHECK(Count(bars, "<rect") == 4 + 2);  // four non-zero values, two legend keys
  CHECK(bars.find("<title>Mon email: 3</title>") != std::string::npos);
  CHECK(bars.find("style=") == std::string::npos);
  std::string lines = Lines(d);
  CHECK(Count(lines, "<circle") == 5);  // the missing Tuesday value draws nothing
  CHECK(lines.find("<title>Wed web: 4.0</title>") != std::string::npos);
  // The web line is broken at the gap: two moves, no line across it.
  std::string path = lines.substr(lines.rfind("<path d=\""));
  CHECK(Count(path.substr(0, path.find("\" fill")), "M") == 2);
  std::string table = ChartTable(d);
  CHECK(table.find("<caption>Tickets &lt;by&gt; channel</caption>") != std::string::npos);
  CHECK(table.find("<tr><th>Tue</th><td>0</td><td>-</td></tr>") != std::string::npos);
}

}  // namespace
}  // namespace frontdesk

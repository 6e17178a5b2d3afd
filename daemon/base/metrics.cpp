#include "daemon/base/metrics.h"

#include <cstdio>

namespace frontdesk {

std::string PromLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Metrics::ObserveRequest(const std::string& listener, const std::string& route,
                             const std::string& method, int code, double seconds) {
  auto state = state_.Lock();
  Histogram& h = state->requests[{listener, route, method, code}];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) h.buckets[i]++;
  h.count++;
  h.sum += seconds;
}

void Metrics::TicketCreated(const std::string& channel) { state_.Lock()->tickets_created[channel]++; }

void Metrics::Count(const std::string& name, const std::string& label_name,
                    const std::string& label_value) {
  state_.Lock()->counters[name][{label_name, label_value}]++;
}

std::string Metrics::Render(const std::string& gauges) const {
  std::string out;
  char num[64];
  auto state = state_.Lock();
  out += "# HELP frontdesk_http_requests_total HTTP requests by listener, route, method and code.\n";
  out += "# TYPE frontdesk_http_requests_total counter\n";
  for (const auto& [k, h] : state->requests) {
    auto& [listener, route, method, code] = k;
    out += "frontdesk_http_requests_total{listener=\"" + PromLabel(listener) + "\",route=\"" +
           PromLabel(route) + "\",method=\"" + method + "\",code=\"" + std::to_string(code) +
           "\"} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP frontdesk_http_request_duration_seconds Time to answer, by listener, route, method and code.\n";
  out += "# TYPE frontdesk_http_request_duration_seconds histogram\n";
  for (const auto& [k, h] : state->requests) {
    auto& [listener, route, method, code] = k;
    std::string labels = "listener=\"" + PromLabel(listener) + "\",route=\"" + PromLabel(route) +
                         "\",method=\"" + method + "\",code=\"" + std::to_string(code) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(num, sizeof num, "%g", kBuckets[i]);
      out += "frontdesk_http_request_duration_seconds_bucket{" + labels + ",le=\"" + num + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += "frontdesk_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::snprintf(num, sizeof num, "%.6f", h.sum);
    out += "frontdesk_http_request_duration_seconds_sum{" + labels + "} " + num + "\n";
    out += "frontdesk_http_request_duration_seconds_count{" + labels + "} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP frontdesk_tickets_created_total Tickets created since start, by channel.\n";
  out += "# TYPE frontdesk_tickets_created_total counter\n";
  for (const char* channel : {"web", "email", "api"}) {
    auto it = state->tickets_created.find(channel);
    out += std::string("frontdesk_tickets_created_total{channel=\"") + channel + "\"} " +
           std::to_string(it == state->tickets_created.end() ? 0 : it->second) + "\n";
  }
  for (const auto& [name, series] : state->counters) {
    out += "# TYPE " + name + " counter\n";
    for (const auto& [label, value] : series) {
      out += name;
      if (!label.first.empty()) out += "{" + label.first + "=\"" + PromLabel(label.second) + "\"}";
      out += " " + std::to_string(value) + "\n";
    }
  }
  out += gauges;
  return out;
}

}  // namespace frontdesk

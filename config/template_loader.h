// template_loader.h: reads the mail templates of the config: [templates]
// (for every queue) and [queue.templates] (one queue's own), each either
// written in the TOML file or as files in a `dir` next to it. Every part is
// checked here, so that a misspelt variable or an unclosed section is a
// check-config error with its place ("templates/solved.txt:4:12: ..."),
// never a hole in a customer's mail. Used only by the loader.
#pragma once

#include <string_view>

#include "config/config.h"
#include "config/table_reader.h"

namespace frontdesk {

// Needs the queues and the SLA policies read first. `text` is the config
// file's own text, to place errors inside multi-line strings.
void ReadTemplates(TableReader& root, std::string_view text, Config& config, ConfigErrors& errors);

}  // namespace frontdesk

// assets.h: the console's one stylesheet and one script, compiled in and
// served from /static/ (the Content-Security-Policy allows only these).
// The script only adds keyboard shortcuts; every page works without it.
#pragma once

#include <string_view>

namespace frontdesk {

std::string_view ConsoleCss();
std::string_view ConsoleJs();

}  // namespace frontdesk

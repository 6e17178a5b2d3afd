// The frontdesk binary: a thin shell over the core library.
#include <curl/curl.h>

#include <exception>
#include <iostream>

#include "daemon/commands.h"

int main(int argc, char** argv) {
  // Once, before any thread: libcurl's global state (TLS, DNS) for the IMAP
  // poller and the SMTP sender.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  try {
    return frontdesk::RunCommandLine(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "frontdesk: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "frontdesk: internal error\n";
  }
  return frontdesk::kExitFailure;
}

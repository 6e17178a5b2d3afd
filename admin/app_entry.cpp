// The entry point of libfrontdesk.so: every command of the command line.
// The `frontdesk` executable loads this library on demand, so that the quick
// mailgate path does not pay for loading it (quick_mailgate.h).
#include <curl/curl.h>

#include <exception>
#include <iostream>

#include "admin/cli.h"
#include "admin/cli_context.h"

extern "C" __attribute__((visibility("default"))) int frontdesk_run(int argc, char** argv) {
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

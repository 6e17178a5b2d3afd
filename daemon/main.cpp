// The frontdesk binary: a thin shell over the core library.
#include <exception>
#include <iostream>

#include "daemon/commands.h"

int main(int argc, char** argv) {
  try {
    return frontdesk::RunCommandLine(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "frontdesk: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "frontdesk: internal error\n";
  }
  return frontdesk::kExitFailure;
}

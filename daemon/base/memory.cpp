#include "daemon/base/memory.h"

#include <malloc.h>

namespace frontdesk {

bool KeepLargeBlocksReturned() {
  constexpr int kMmapThreshold = 256 * 1024;
  return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1;
}

void ReturnFreedMemory() { malloc_trim(0); }

}  // namespace frontdesk

// memory.h: how the daemon gives memory back to the system after large
// requests and mails. glibc keeps freed memory for reuse unless told
// otherwise; for a daemon that idles most of the day after a burst of
// large mail, holding a gigabyte it no longer uses is the wrong default.
// Thread-safe.
#pragma once

#include <cstdint>

namespace frontdesk {

// After work that read at least this much, ReturnFreedMemory is worth its
// cost (a walk over the allocator's free lists).
constexpr int64_t kTrimAfterBytes = 8 * 1024 * 1024;

// Makes blocks of 256 KiB and up come from mmap and go back to the system
// when freed. glibc raises that threshold to the size of each large block
// freed, up to 32 MiB, so that after the first large body every later one
// came from the heap and stayed there (a daemon at 870 MB, idle, after 120
// posts of 10 MiB). Call once, before the threads start; false when the
// allocator refused.
bool KeepLargeBlocksReturned();

// Hands the free memory at the top of each heap, and the free pages within
// them, back to the system.
void ReturnFreedMemory();

}  // namespace frontdesk

#ifndef TESTZONE_MEMORY_HINTS_H
#define TESTZONE_MEMORY_HINTS_H

/// Asks the CPU to start loading the cache line at `address` (no fault on any address, no
/// effect on results). Swift has no prefetch of its own; hot paths that know the next random
/// access early (the duplicate filter) use this to overlap the cache miss with other work.
static inline void tz_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Like `tz_prefetch`, for a line about to be written.
static inline void tz_prefetch_for_write(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif

#ifndef TESTZONE_CRC32_FOLD_H
#define TESTZONE_CRC32_FOLD_H

#include <stddef.h>
#include <stdint.h>

/// Whether `tz_crc32_fold` can run on this CPU (x86-64 with PCLMULQDQ and SSE4.1); 0 elsewhere.
int tz_crc32_fold_available(void);

/// Continues a CRC-32 (ISO-HDLC, reflected 0xEDB88320) over `length` bytes by carry-less
/// multiplication, 64 bytes per step. `state` is the running register (the finalized value
/// complemented) and so is the result. `length` must be at least 64 and a multiple of 16; only
/// call it when `tz_crc32_fold_available()` returned 1.
uint32_t tz_crc32_fold(const uint8_t *bytes, size_t length, uint32_t state);

#endif

#ifndef TESTZONE_CLZ4_SHIM_H
#define TESTZONE_CLZ4_SHIM_H

// LZ4 from Debian's liblz4-dev (headers in /usr/include). MCAP's "lz4" chunk compression is the
// LZ4 *frame* format, hence lz4frame.h rather than the block API.
#include <lz4frame.h>

#endif

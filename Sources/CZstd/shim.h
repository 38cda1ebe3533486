#ifndef TESTZONE_CZSTD_SHIM_H
#define TESTZONE_CZSTD_SHIM_H

// zstd from Debian's libzstd-dev (headers in /usr/include). Used for MCAP chunk compression.
#include <zstd.h>

#endif

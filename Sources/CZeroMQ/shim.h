#ifndef TESTZONE_CZEROMQ_SHIM_H
#define TESTZONE_CZEROMQ_SHIM_H

// libzmq from Debian's libzmq3-dev (headers in /usr/include).
#include <zmq.h>
#include <errno.h>

#endif

#!/usr/bin/env bash
# `make bench`: every benchmark suite together with its reference program, one part per line.
# Each script builds what it needs, prints its figures and the ratio to the reference.
set -euo pipefail
cd "$(dirname "$0")"

./zeromq.sh   # ZeroMQ wrapper vs libzmq from C: PUSH/PULL 60 B over tcp loopback and inproc

#!/usr/bin/env bash
# `make bench`: runs every benchmark suite together with its reference program. Each part adds
# its lines here.
set -euo pipefail
cd "$(dirname "$0")/../.."

# C-V2X (issue 3): asn1c reference decoder on the example frames, plus the extra frames in
# Tools/bench/cv2x-frames.hex when present (one "name hex" per line).
Tools/bench/asn1c-cv2x.sh "" "$( [[ -f Tools/bench/cv2x-frames.hex ]] && echo Tools/bench/cv2x-frames.hex )"

#!/usr/bin/env python3
"""Random frames for the CV2X cross-check test: prints JSON lines {"alternative", "hex", "jer"}.

For one set, `--count` random-but-valid values per MessageFrame alternative (randvalues.py, seeded),
UPER-encoded and JER-rendered by asn1tools. The Swift test (CV2XTests/CrossCheckTests) decodes
every hex with the generated codec and compares the JER text and the re-encoding.

Usage: crosscheck.py --asn1 DIR --set csae53-2020 [--count 2000] [--seed 1]
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import randvalues  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--asn1', required=True, help='folder holding csae53-2020/ etc.')
    ap.add_argument('--set', required=True)
    ap.add_argument('--count', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    uper_spec, jer_spec = randvalues.compile_set(os.path.join(args.asn1, args.set))
    rv = randvalues.RandomValues(seed=args.seed)
    out = sys.stdout
    for alternative in randvalues.frame_alternatives(uper_spec):
        for _ in range(args.count):
            hex_text, jer = randvalues.sample(uper_spec, jer_spec, rv, alternative)
            out.write(json.dumps({'alternative': alternative.name, 'hex': hex_text, 'jer': jer}) + '\n')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Decode CSAE 53 MessageFrames with asn1tools, for the simulator's cross-check test.

Reads lines "<set> <hex>" on standard input (set = csae53-2020 | csae53-2019 | csae53-2017) and
writes one JSON line per input line: {"jer": <asn1tools' JER text>, "hex": <asn1tools'
re-encoding>} or {"error": "..."}.

Usage: asn1tools_decode.py --asn1 DIR < frames.txt
"""

import argparse
import glob
import json
import os
import sys

import asn1tools


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--asn1', required=True, help='folder holding csae53-2020/ etc.')
    args = ap.parse_args()
    specs = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        name, hex_text = line.split()
        if name not in specs:
            files = sorted(glob.glob(os.path.join(args.asn1, name, '*.asn')))
            specs[name] = (asn1tools.compile_files(files, 'uper'), asn1tools.compile_files(files, 'jer'))
        uper_spec, jer_spec = specs[name]
        try:
            value = uper_spec.decode('MessageFrame', bytes.fromhex(hex_text))
            jer = jer_spec.encode('MessageFrame', value).decode('utf-8')
            again = uper_spec.encode('MessageFrame', value).hex()
            sys.stdout.write(json.dumps({'jer': jer, 'hex': again}) + '\n')
        except Exception as error:  # noqa: BLE001 - reported to the test
            sys.stdout.write(json.dumps({'error': str(error)}) + '\n')


if __name__ == '__main__':
    main()

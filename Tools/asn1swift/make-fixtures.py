#!/usr/bin/env python3
"""Writes the committed CV2X test fixtures: Tests/CV2XTests/Fixtures/<set>.jsonl.

For every set (csae53-2020, -2019, -2017) and every MessageFrame alternative (bsmFrame, mapFrame,
rsmFrame, spatFrame, rsiFrame), a handful of random-but-valid values (fixed seed, see
randvalues.py), each as {"alternative", "hex" (UPER by asn1tools), "jer" (asn1tools' JER text)}.
Plus examples.jsonl: the example frames of ../shared/reference/README.md with their 2020 JER.

Usage: make-fixtures.py [--asn1 DIR] [--per-type N]
  DIR defaults to $TESTZONE_ASN1_DIR or the first shared/reference/asn1 above the repository.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import randvalues  # noqa: E402

SETS = ['csae53-2020', 'csae53-2019', 'csae53-2017']
# Example frames of ../shared/reference/README.md (2020 set).
EXAMPLES = [
    ('BSM, mandatory fields only (38 bytes)',
     '000229488b498606060634add9094f0816705ca3e205a856c7081fcdf31fe01dc00b91e00280'),
    ('BSM with typical optional fields (51 bytes)',
     '07e229488b498606060634adc664253c2059c1728f8816940f17706a50ad8e103dfad7f37cc7f8077fe82a59723c0790a40808'),
    ('SPAT, one intersection with four phases (54 bytes)',
     '3612ea6014adc028000860e810052b7180826020000014002580408c080000055009601823020000016802580808c08000005f009600'),
]


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


def find_asn1_dir():
    env = os.environ.get('TESTZONE_ASN1_DIR')
    if env:
        return env
    d = repo_root()
    while d != os.path.dirname(d):
        d = os.path.dirname(d)
        cand = os.path.join(d, 'shared', 'reference', 'asn1')
        if os.path.isdir(cand):
            return cand
    raise SystemExit('ASN.1 modules not found: set TESTZONE_ASN1_DIR or pass --asn1')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--asn1', default=None)
    ap.add_argument('--per-type', type=int, default=6)
    args = ap.parse_args()
    asn1_dir = args.asn1 or find_asn1_dir()
    out_dir = os.path.join(repo_root(), 'Tests', 'CV2XTests', 'Fixtures')
    os.makedirs(out_dir, exist_ok=True)
    for index, set_name in enumerate(SETS):
        uper_spec, jer_spec = randvalues.compile_set(os.path.join(asn1_dir, set_name))
        rv = randvalues.RandomValues(seed=5300 + index)
        lines = []
        for alternative in randvalues.frame_alternatives(uper_spec):
            for _ in range(args.per_type):
                hex_text, jer = randvalues.sample(uper_spec, jer_spec, rv, alternative)
                lines.append(json.dumps({'alternative': alternative.name, 'hex': hex_text, 'jer': jer}))
        with open(os.path.join(out_dir, set_name + '.jsonl'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        print('make-fixtures: %s: %d frames' % (set_name, len(lines)))
        if set_name == 'csae53-2020':
            ex = []
            for name, hex_text in EXAMPLES:
                value = uper_spec.decode('MessageFrame', bytes.fromhex(hex_text))
                jer = jer_spec.encode('MessageFrame', value).decode('utf-8')
                ex.append(json.dumps({'name': name, 'hex': hex_text, 'jer': jer}))
            with open(os.path.join(out_dir, 'examples.jsonl'), 'w') as f:
                f.write('\n'.join(ex) + '\n')


if __name__ == '__main__':
    main()

"""Random-but-valid ASN.1 values for asn1tools, by walking a compiled `uper` type tree.

asn1tools cannot generate values itself; this walker produces Python values in asn1tools' value
form (dicts for SEQUENCE, (name, value) tuples for CHOICE, (bytes, nbits) for BIT STRING, ...)
that satisfy every PER-visible constraint, from a seeded `random.Random` (deterministic).

Used by make-fixtures.py (committed fixtures) and crosscheck.py (the cross-check test).
"""

import glob
import os
import random

import asn1tools
from asn1tools.codecs import per, uper


def compile_set(asn1_dir):
    files = sorted(glob.glob(os.path.join(asn1_dir, '*.asn')))
    if not files:
        raise SystemExit('no .asn modules in %s' % asn1_dir)
    return asn1tools.compile_files(files, 'uper'), asn1tools.compile_files(files, 'jer')


class RandomValues:
    """Generates values; `list_budget` keeps nested SEQUENCE OFs (MAP: nodes/links/lanes/points)
    from exploding while still reaching the size bounds now and then."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def integer(self, lo, hi):
        r = self.rng.random()
        if r < 0.15:
            return lo
        if r < 0.30:
            return hi
        return self.rng.randint(lo, hi)

    def count(self, lo, hi, depth):
        hi = lo + 64 if hi is None else hi
        r = self.rng.random()
        if depth == 0 and r < 0.08:
            return hi
        if r < 0.35:
            return lo
        return min(hi, lo + self.rng.choice([1, 1, 2, 2, 3, 4]) if depth < 2 else lo + self.rng.choice([0, 1]))

    def value(self, t, depth=0):
        rng = self.rng
        if isinstance(t, per.Recursive) or type(t).__name__ == 'Recursive':
            return self.value(t._inner, depth)
        name = type(t).__name__
        if name == 'Integer':
            lo = t.minimum if t.minimum is not None else -(1 << 40)
            hi = t.maximum if t.maximum is not None else (1 << 40)
            return self.integer(lo, hi)
        if name == 'Boolean':
            return rng.random() < 0.5
        if name == 'Null':
            return None
        if name == 'Enumerated':
            return rng.choice(list(t.root_index_to_data.values()))
        if name == 'BitString':
            lo = t.minimum if t.minimum is not None else 0
            hi = t.maximum if t.maximum is not None else lo + 40
            n = self.count(lo, hi, depth)
            nbytes = (n + 7) // 8
            value = rng.getrandbits(n) if n else 0
            data = (value << (nbytes * 8 - n)).to_bytes(nbytes, 'big') if n else b''
            return (data, n)
        if name == 'OctetString':
            lo = t.minimum if t.minimum is not None else 0
            hi = t.maximum if t.maximum is not None else lo + 40
            n = self.count(lo, hi, depth)
            return bytes(rng.getrandbits(8) for _ in range(n))
        if name in ('IA5String', 'VisibleString', 'PrintableString', 'NumericString'):
            lo = t.minimum if t.minimum is not None else 0
            hi = t.maximum if t.maximum is not None else lo + 40
            n = self.count(lo, hi, depth)
            alphabet = self.alphabet(t)
            return ''.join(rng.choice(alphabet) for _ in range(n))
        if name == 'UTF8String':
            n = self.count(0, 20, depth)
            pool = 'abcXYZ 09"\\\n\t\u00e9\u4e2d\u6587\U0001F600'
            return ''.join(rng.choice(pool) for _ in range(n))
        if name in ('Sequence', 'Set'):
            out = {}
            for m in t.root_members:
                if (m.optional or m.default is not None) and rng.random() < 0.5:
                    continue
                out[m.name] = self.value(m, depth)
            return out
        if name in ('SequenceOf', 'SetOf'):
            n = self.count(t.minimum or 0, t.maximum, depth)
            return [self.value(t.element_type, depth + 1) for _ in range(n)]
        if name == 'Choice':
            members = list(t.root_index_to_member.values())
            m = rng.choice(members)
            return (m.name, self.value(m, depth))
        raise SystemExit('randvalues: unsupported type %s (%s)' % (name, t))

    def alphabet(self, t):
        name = type(t).__name__
        if name == 'IA5String':
            return [chr(c) for c in range(128)]
        if name == 'NumericString':
            return list('0123456789 ')
        if name == 'PrintableString':
            return list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")
        return [chr(c) for c in range(32, 127)]


def frame_alternatives(uper_spec, top='MessageFrame'):
    """The root alternatives of the top-level CHOICE (BSM, MAP, RSM, SPAT, RSI, ...)."""
    t = uper_spec.types[top].type
    return list(t.root_index_to_member.values())


def sample(uper_spec, jer_spec, rng_values, alternative, top='MessageFrame'):
    """One random frame of `alternative`: (hex, JER text). The JER is asn1tools' rendering of the
    value decoded back from the encoding (as a decoder would see it)."""
    value = (alternative.name, rng_values.value(alternative))
    encoded = uper_spec.encode(top, value)
    decoded = uper_spec.decode(top, encoded)
    jer = jer_spec.encode(top, decoded).decode('utf-8')
    return encoded.hex(), jer

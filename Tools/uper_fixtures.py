#!/usr/bin/env python3
"""Writes Tests/UPERTests/Fixtures/asn1tools-uper.json: unaligned PER encodings made by asn1tools.

Each case is {"type", "text", "hex"}: `text` is a canonical rendering of the value that the Swift
tests reproduce from their decoded value (see Tests/UPERTests/Asn1toolsFixtureTests.swift), and
`hex` is asn1tools' encoding. Long values are octets(n) below (octet i = (1 + 7 i) mod 251), written
`pattern:n` (OCTET STRING) or `count:pattern` (BIT STRING of the first `count` bits). asn1tools
returns an empty encoding as zero octets where X.691 11.1 sends one zero octet; the tests allow that.
Semi-constrained integers (lb..MAX) are left out: asn1tools encodes them as unconstrained
(two's complement, ignoring lb), whereas X.691 10.7 sends (n - lb) as a non-negative binary
integer, which the runtime follows (hand-computed tests in IntegerTests.swift). Run from the repository root:

    .venv/bin/python Tools/uper_fixtures.py        # or: make setup first

The ASN.1 below is written for this test only (no reference modules are read).
"""

import json
import os
import sys

import asn1tools

SPEC = """
UPERFixtures DEFINITIONS AUTOMATIC TAGS ::= BEGIN
  Fixed ::= INTEGER (5..5)
  Bit ::= INTEGER (0..1)
  Small ::= INTEGER (-3..3)
  Byte ::= INTEGER (0..255)
  NineBits ::= INTEGER (0..256)
  Int32 ::= INTEGER (-2147483648..2147483647)
  Latitude ::= INTEGER (-900000000..900000001)
  Positive63 ::= INTEGER (0..9223372036854775807)
  Full64 ::= INTEGER (-9223372036854775808..9223372036854775807)
  ExtInt ::= INTEGER (0..7, ...)
  ExtNeg ::= INTEGER (-100..100, ...)
  Unconstrained ::= INTEGER
  Flag ::= BOOLEAN
  Nothing ::= NULL
  Colour ::= ENUMERATED { red, green, blue }
  Single ::= ENUMERATED { only }
  ExtColour ::= ENUMERATED { red, green, blue, ..., cyan, magenta }
  Pick ::= CHOICE { a INTEGER (0..3), b BOOLEAN, c NULL }
  ExtPick ::= CHOICE { a INTEGER (0..3), b BOOLEAN, ..., c INTEGER (0..65535), d IA5String }
  Octets4 ::= OCTET STRING (SIZE(4))
  Octets1To8 ::= OCTET STRING (SIZE(1..8))
  ExtOctets ::= OCTET STRING (SIZE(2..4, ...))
  AnyOctets ::= OCTET STRING
  Bits12 ::= BIT STRING (SIZE(12))
  Bits0To80 ::= BIT STRING (SIZE(0..80))
  AnyBits ::= BIT STRING
  Name ::= IA5String (SIZE(1..20))
  Digits ::= NumericString (SIZE(0..5))
  Code3 ::= PrintableString (SIZE(3))
  Visible ::= VisibleString
  HexDigits ::= IA5String (FROM("0".."9" | "A".."F")) (SIZE(1..8))
  Letters ::= PrintableString (FROM("A".."Z"))
  Text ::= UTF8String
  Nibbles ::= SEQUENCE (SIZE(1..4)) OF INTEGER (0..15)
  ExtNibbles ::= SEQUENCE (SIZE(1..4, ...)) OF INTEGER (0..15)
  Flags ::= SEQUENCE OF BOOLEAN
  Record ::= SEQUENCE {
    a INTEGER (0..3),
    b BOOLEAN OPTIONAL,
    c IA5String (SIZE(0..3)) DEFAULT "x",
    ...,
    d INTEGER (0..255) OPTIONAL,
    e Pick OPTIONAL
  }
  Closed ::= SEQUENCE { a INTEGER (0..3), b Octets4 OPTIONAL }
END
"""

COLOURS = ["red", "green", "blue"]
EXT_COLOURS = ["cyan", "magenta"]


def octets(n, seed=1):
    return bytes((seed + 7 * i) % 251 for i in range(n))


def bits(value, count):
    """asn1tools BIT STRING value from an integer holding `count` bits."""
    nbytes = (count + 7) // 8
    return ((value << (8 * nbytes - count)).to_bytes(nbytes, "big"), count)


# type -> list of (asn1tools value, canonical text)
CASES = {
    "Fixed": [(5, "5")],
    "Bit": [(0, "0"), (1, "1")],
    "Small": [(v, str(v)) for v in (-3, -1, 0, 3)],
    "Byte": [(v, str(v)) for v in (0, 1, 127, 128, 255)],
    "NineBits": [(v, str(v)) for v in (0, 255, 256)],
    "Int32": [(v, str(v)) for v in (-2147483648, -1, 0, 2147483647)],
    "Latitude": [(v, str(v)) for v in (-900000000, 312840000, 900000001)],
    "Positive63": [(v, str(v)) for v in (0, 9223372036854775807)],
    "Full64": [(v, str(v)) for v in (-(2**63), -1, 0, 2**63 - 1)],
    "ExtInt": [(v, str(v)) for v in (0, 7, 8, 255, 256, -1, -129, 9223372036854775807, -9223372036854775808)],
    "ExtNeg": [(v, str(v)) for v in (-100, 0, 100, 101, -101, 1000)],
    "Unconstrained": [(v, str(v)) for v in (0, 1, -1, 127, 128, -128, -129, 255, 256, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63))],
    "Flag": [(False, "false"), (True, "true")],
    "Nothing": [(None, "null")],
    "Colour": [(c, f"root:{i}") for i, c in enumerate(COLOURS)],
    "Single": [("only", "root:0")],
    "ExtColour": [(c, f"root:{i}") for i, c in enumerate(COLOURS)] + [(c, f"ext:{i}") for i, c in enumerate(EXT_COLOURS)],
    "Pick": [(("a", 0), "a:0"), (("a", 3), "a:3"), (("b", True), "b:true"), (("c", None), "c:null")],
    "ExtPick": [(("a", 2), "a:2"), (("b", False), "b:false"), (("c", 0), "c:0"), (("c", 65535), "c:65535"),
                (("d", ""), "d:"), (("d", "hello"), "d:hello")],
    "Octets4": [(bytes.fromhex("00000000"), "00000000"), (bytes.fromhex("deadbeef"), "deadbeef")],
    "Octets1To8": [(octets(n), octets(n).hex()) for n in (1, 2, 7, 8)],
    "ExtOctets": [(octets(n), octets(n).hex()) for n in (0, 1, 2, 3, 4, 5, 200)],
    "AnyOctets": [(octets(n), octets(n).hex() if n < 256 else f"pattern:{n}") for n in (0, 1, 127, 128, 16383, 16384, 16385)],
    "Bits12": [(bits(0, 12), "12:0000"), (bits(0xABC, 12), "12:abc0"), (bits(0xFFF, 12), "12:fff0")],
    "Bits0To80": [(bits(v, n), f"{n}:{bits(v, n)[0].hex()}")
                  for v, n in ((0, 0), (1, 1), (0x1234, 16), ((1 << 64) - 1, 64), (0x1FFFF, 65), ((1 << 80) - 3, 80))],
    "AnyBits": [(bits(0, 0), "0:"), (bits(5, 3), "3:a0"), ((octets(2049), 16384 + 3), "16387:pattern")],
    "Name": [("A", "A"), ("Shanghai Jiading", "Shanghai Jiading"), ("x" * 20, "x" * 20), ("\x00\x7f", "\x00\x7f")],
    "Digits": [("", ""), ("0", "0"), ("12 3", "12 3"), ("98765", "98765")],
    "Code3": [("ABC", "ABC"), ("a?=", "a?="), ("(1)", "(1)")],
    "Visible": [("", ""), (" ~", " ~"), ("Hello, World!", "Hello, World!")],
    "HexDigits": [("0", "0"), ("DEADBEEF", "DEADBEEF"), ("9A", "9A")],
    "Letters": [("", ""), ("AZ", "AZ"), ("Q" * 200, "Q" * 200)],
    "Text": [("", ""), ("abc", "abc"), ("嘉定 ICV", "嘉定 ICV"), ("é" * 100, "é" * 100)],
    "Nibbles": [([0], "[0]"), ([1, 2, 3, 15], "[1,2,3,15]")],
    "ExtNibbles": [([0], "[0]"), ([15, 0, 15, 0], "[15,0,15,0]"), ([1, 2, 3, 4, 5], "[1,2,3,4,5]"), ([], "[]")],
    "Flags": [([], "[]"), ([True, False, True], "[true,false,true]"), ([True] * 200, "[" + ",".join(["true"] * 200) + "]")],
    "Record": [({"a": 0}, "a=0,b=-,c=x,d=-,e=-"),
               ({"a": 3, "b": True, "c": "yz"}, "a=3,b=true,c=yz,d=-,e=-"),
               ({"a": 1, "d": 200}, "a=1,b=-,c=x,d=200,e=-"),
               ({"a": 2, "b": False, "d": 0, "e": ("b", True)}, "a=2,b=false,c=x,d=0,e=b:true"),
               ({"a": 2, "e": ("c", None)}, "a=2,b=-,c=x,d=-,e=c:null")],
    "Closed": [({"a": 1}, "a=1,b=-"), ({"a": 2, "b": bytes.fromhex("01020304")}, "a=2,b=01020304")],
}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "Tests", "UPERTests", "Fixtures", "asn1tools-uper.json")
    compiled = asn1tools.compile_string(SPEC, "uper")
    cases = []
    for type_name, values in CASES.items():
        for value, text in values:
            encoded = compiled.encode(type_name, value, check_constraints=True)
            decoded = compiled.decode(type_name, encoded)
            if isinstance(value, bytes) or isinstance(decoded, bytes):
                assert bytes(decoded) == value, (type_name, value, decoded)
            cases.append({"type": type_name, "text": text, "hex": encoded.hex()})
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"generator": "Tools/uper_fixtures.py", "asn1tools": asn1tools.__version__,
                            "spec": SPEC.strip(), "cases": cases}, ensure_ascii=False, indent=1))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(out, root)}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""asn1swift: generate Swift types with UPER decode/encode and JER rendering from ASN.1 modules.

The modules are parsed with asn1tools' parser (``asn1tools.parse_files``); this script only walks
the resulting dictionary. Output: one Swift file per ASN.1 module plus a namespace file, all types
inside one Swift namespace enum per message set (the sets share type names).

Usage:
    asn1swift.py --set csae53-2020 --namespace CSAE53_2020 --out Sources/CV2X/Generated/CSAE53_2020 \
        /path/to/csae53-2020

See Tools/asn1swift/README.md for the ASN.1 -> Swift name mapping and the generated API.
"""

import argparse
import glob
import os
import re
import sys

import asn1tools

BUILTIN = {
    'INTEGER', 'BOOLEAN', 'NULL', 'ENUMERATED', 'BIT STRING', 'OCTET STRING', 'IA5String',
    'VisibleString', 'PrintableString', 'NumericString', 'UTF8String', 'SEQUENCE', 'CHOICE',
    'SEQUENCE OF', 'OpenType',
}
KNOWN_MULTIPLIER = {
    'IA5String': '.ia5', 'VisibleString': '.visible', 'PrintableString': '.printable',
    'NumericString': '.numeric',
}
CONSTRUCTED = {'SEQUENCE', 'CHOICE', 'ENUMERATED'}
# Widest batched read: 57 bits plus at most 7 bits of misalignment stay within the runtime's
# single 64-bit window (its fast path).
BATCH_BITS = 57

# Swift keywords that must be escaped with backticks when used as identifiers.
SWIFT_KEYWORDS = {
    'associatedtype', 'class', 'deinit', 'enum', 'extension', 'fileprivate', 'func', 'import',
    'init', 'inout', 'internal', 'let', 'open', 'operator', 'private', 'precedencegroup',
    'protocol', 'public', 'rethrows', 'static', 'struct', 'subscript', 'typealias', 'var',
    'break', 'case', 'catch', 'continue', 'default', 'defer', 'do', 'else', 'fallthrough', 'for',
    'guard', 'if', 'in', 'repeat', 'return', 'throw', 'switch', 'where', 'while', 'Any', 'as',
    'await', 'false', 'is', 'nil', 'self', 'Self', 'super', 'throws', 'true', 'try', 'Type',
}
# Names the generated code itself uses inside a type; an ASN.1 component with one of these names
# gets a trailing underscore (documented in the README).
RESERVED_MEMBERS = {'unknownExtension', 'encode', 'decode', 'writeJER', 'jer'}
# Swift / runtime type names the generated code refers to unqualified; ASN.1 types must not shadow them.
RESERVED_TYPES = {
    'String', 'Bool', 'Int', 'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32',
    'UInt64', 'BitString', 'UPERReader', 'UPERWriter', 'UPERError', 'JERWriter', 'ASN1Null',
    'Array', 'Optional', 'Error', 'Boxed', 'Spare', 'ShortBitString',
} | {'Octets%d' % i for i in range(1, 17)}


class GeneratorError(Exception):
    pass


# ----------------------------------------------------------------------------------------------
# Name mapping (documented in Tools/asn1swift/README.md)

def swift_identifier(name):
    """ASN.1 value/component/enumeration identifier -> Swift identifier: '-' becomes '_'."""
    ident = name.replace('-', '_')
    if ident in SWIFT_KEYWORDS:
        return '`%s`' % ident
    return ident


def member_identifier(name):
    ident = swift_identifier(name)
    if ident in RESERVED_MEMBERS:
        ident += '_'
    return ident


def swift_type_name(name):
    """ASN.1 type reference -> UpperCamel Swift type name: split at '-', capitalise each part."""
    parts = [p for p in name.split('-') if p]
    out = ''.join(p[0].upper() + p[1:] for p in parts)
    if out in SWIFT_KEYWORDS:
        out = '`%s`' % out
    return out


def upper_first(name):
    return swift_type_name(name)


# ----------------------------------------------------------------------------------------------
# Helpers for constraints

def bits_for_range(count):
    """Number of bits of a constrained whole number with `count` possible values (X.691 10.5.7.1)."""
    if count <= 1:
        return 0
    return (count - 1).bit_length()


def smallest_int(lo, hi):
    if lo >= 0:
        for bits, name in ((8, 'UInt8'), (16, 'UInt16'), (32, 'UInt32')):
            if hi < (1 << bits):
                return name
        return 'Int64' if hi < (1 << 63) else 'UInt64'
    for bits, name in ((8, 'Int8'), (16, 'Int16'), (32, 'Int32'), (64, 'Int64')):
        if lo >= -(1 << (bits - 1)) and hi < (1 << (bits - 1)):
            return name
    raise GeneratorError('integer range %d..%d does not fit 64 bits' % (lo, hi))


def swift_string_literal(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


class IntInfo:
    def __init__(self, lo, hi, ext):
        self.lo, self.hi, self.ext = lo, hi, ext

    @property
    def constrained(self):
        return self.lo is not None and self.hi is not None and not self.ext

    @property
    def swift(self):
        if self.constrained:
            return smallest_int(self.lo, self.hi)
        return 'Int64'


class SizeInfo:
    def __init__(self, lo, hi, ext):
        self.lo, self.hi, self.ext = lo, hi, ext

    @property
    def fixed(self):
        return self.lo is not None and self.lo == self.hi and not self.ext

    def swift_args(self):
        return 'lower: %d, upper: %s, extensible: %s' % (
            self.lo or 0, 'nil' if self.hi is None else str(self.hi), 'true' if self.ext else 'false')


# ----------------------------------------------------------------------------------------------

class Decl:
    """A named Swift declaration to emit (struct / enum / typealias + list codec)."""

    def __init__(self, swift_name, asn1_name, module, desc, hoisted_from=None):
        self.swift_name = swift_name
        self.asn1_name = asn1_name
        self.module = module
        self.desc = desc
        self.hoisted_from = hoisted_from


class Generator:
    def __init__(self, parsed, namespace, set_label, command, top=None):
        self.in_place_memo = {}
        self.batch_counter = 0
        self.top = top
        self.parsed = parsed
        self.ns = namespace
        self.set_label = set_label
        self.command = command
        self.typedefs = {}
        self.values = {}
        self.classes = {}
        for module, content in parsed.items():
            for name, desc in content['types'].items():
                if name in self.typedefs:
                    raise GeneratorError('type %s defined in %s and %s' % (
                        name, self.typedefs[name][0], module))
                self.typedefs[name] = (module, desc)
            for name, value in content.get('values', {}).items():
                self.values[name] = (module, value)
            for name, cls in content.get('object-classes', {}).items():
                self.classes[name] = cls
        self.decls = []          # all Decls in emission order
        self.decl_by_swift = {}  # swift name -> Decl
        self.list_codecs = {}    # id(desc) -> codec base name
        self.loop_depth = 0

    # --- resolution -------------------------------------------------------------------------

    def class_field_type(self, ref):
        cls_name, field = ref.split('.', 1)
        cls = self.classes.get(cls_name)
        if cls is None:
            raise GeneratorError('unknown information object class %s' % cls_name)
        for member in cls['members']:
            if member is not None and member['name'] == field:
                return member
        raise GeneratorError('class %s has no field %s' % (cls_name, field))

    def resolve(self, desc):
        """Follows type references to the builtin type; use-site constraints win."""
        merged = {}
        d = desc
        depth = 0
        while True:
            for key in ('restricted-to', 'size', 'from', 'named-bits'):
                if key in d and key not in merged:
                    merged[key] = d[key]
            t = d['type']
            if t in BUILTIN:
                break
            if '.&' in t:
                d = self.class_field_type(t)
            elif t in self.typedefs:
                d = self.typedefs[t][1]
            else:
                raise GeneratorError('unknown type %s' % t)
            depth += 1
            if depth > 64:
                raise GeneratorError('type reference loop at %s' % desc['type'])
        out = dict(d)
        for key in ('restricted-to', 'size', 'from', 'named-bits'):
            out.pop(key, None)
        out.update(merged)
        return out

    def value_of(self, v):
        if isinstance(v, str):
            if v in ('MIN', 'MAX'):
                return None
            if v in self.values:
                return self.value_of(self.values[v][1]['value'])
            raise GeneratorError('unknown value reference %s' % v)
        return v

    def int_info(self, rd):
        rt = rd.get('restricted-to')
        if not rt:
            return IntInfo(None, None, False)
        ext = any(r is None for r in rt)
        lo = hi = None
        first = True
        unbounded_lo = unbounded_hi = False
        for r in rt:
            if r is None:
                continue
            a, b = (r if isinstance(r, tuple) else (r, r))
            a, b = self.value_of(a), self.value_of(b)
            if a is None:
                unbounded_lo = True
            if b is None:
                unbounded_hi = True
            if first:
                lo, hi, first = a, b, False
            else:
                lo = None if (lo is None or a is None) else min(lo, a)
                hi = None if (hi is None or b is None) else max(hi, b)
        if unbounded_lo:
            lo = None
        if unbounded_hi:
            hi = None
        return IntInfo(lo, hi, ext)

    def size_info(self, rd):
        size = rd.get('size')
        if not size:
            return SizeInfo(None, None, False)
        ext = any(s is None for s in size)
        lo = hi = None
        for s in size:
            if s is None:
                continue
            a, b = (s if isinstance(s, tuple) else (s, s))
            a, b = self.value_of(a), self.value_of(b)
            lo = a if lo is None else min(lo, a if a is not None else lo)
            hi = b if hi is None else (None if b is None else max(hi, b))
        return SizeInfo(lo, hi, ext)

    # --- declarations -----------------------------------------------------------------------

    def add_decl(self, decl):
        if decl.swift_name in self.decl_by_swift:
            other = self.decl_by_swift[decl.swift_name]
            raise GeneratorError('Swift name %s used by %s and %s' % (
                decl.swift_name, other.asn1_name, decl.asn1_name))
        if decl.swift_name in RESERVED_TYPES:
            raise GeneratorError('ASN.1 type %s maps to reserved Swift name %s' % (
                decl.asn1_name, decl.swift_name))
        self.decl_by_swift[decl.swift_name] = decl
        self.decls.append(decl)

    def collect(self):
        for module in sorted(self.parsed):
            for name in self.parsed[module]['types']:
                desc = self.parsed[module]['types'][name]
                self.add_decl(Decl(swift_type_name(name), name, module, desc))
        # Hoist anonymous constructed types found inside members (e.g. `a SEQUENCE {...}`).
        i = 0
        while i < len(self.decls):
            decl = self.decls[i]
            self.hoist_inner(decl, decl.desc, decl.swift_name)
            i += 1

    def hoist_inner(self, decl, desc, prefix):
        t = desc['type']
        if t in ('SEQUENCE', 'CHOICE'):
            for m in desc['members']:
                if m is None:
                    continue
                if isinstance(m, list):
                    raise GeneratorError('%s: extension addition groups [[ ]] are not supported' % (
                        decl.asn1_name))
                self.hoist_member(decl, m, prefix + upper_first(m['name']))
        elif t == 'SEQUENCE OF':
            self.hoist_member(decl, desc['element'], prefix + 'Element')

    def hoist_member(self, decl, mdesc, name):
        t = mdesc['type']
        if t in CONSTRUCTED:
            if 'swift-hoisted' not in mdesc:
                mdesc['swift-hoisted'] = name
                self.add_decl(Decl(name, '%s (inner)' % name, decl.module, mdesc, hoisted_from=decl))
        elif t == 'SEQUENCE OF':
            self.hoist_member(decl, mdesc['element'], name + 'Element')

    # --- Swift types --------------------------------------------------------------------------

    def swift_type(self, desc):
        t = desc['type']
        if 'swift-hoisted' in desc:
            return desc['swift-hoisted']
        if t not in BUILTIN and '.&' not in t:
            return swift_type_name(t)
        rd = self.resolve(desc)
        return self.builtin_swift_type(rd)

    def builtin_swift_type(self, rd):
        t = rd['type']
        if t == 'INTEGER':
            return self.int_info(rd).swift
        if t == 'BOOLEAN':
            return 'Bool'
        if t == 'NULL':
            return 'ASN1Null'
        if t == 'BIT STRING':
            si = self.size_info(rd)
            return 'ShortBitString' if si.hi is not None and si.hi <= 64 else 'BitString'
        if t == 'OCTET STRING':
            si = self.size_info(rd)
            if si.fixed and 1 <= si.lo <= 16:
                return 'Octets%d' % si.lo
            return '[UInt8]'
        if t in KNOWN_MULTIPLIER or t == 'UTF8String':
            return 'String'
        if t == 'SEQUENCE OF':
            return '[%s]' % self.swift_type(rd['element'])
        if t == 'OpenType':
            return '[UInt8]'
        if 'swift-hoisted' in rd:
            return rd['swift-hoisted']
        raise GeneratorError('no Swift type for %s' % t)

    def codec_kind(self, desc):
        """Returns (kind, resolved desc). kind 'type' = a generated struct/enum with its own codec."""
        if 'swift-hoisted' in desc:
            return 'type', desc
        rd = self.resolve(desc)
        if rd['type'] in CONSTRUCTED:
            return 'type', rd
        return rd['type'], rd

    def nominal_name(self, desc):
        """Swift name of the generated struct/enum a (possibly aliased) reference ends at."""
        if 'swift-hoisted' in desc:
            return desc['swift-hoisted']
        return swift_type_name(desc['type'])

    # --- list codecs --------------------------------------------------------------------------

    def list_codec_name(self, desc, rd, hint):
        """Name of the static list codec for a SEQUENCE OF: the typedef's name when the component
        refers to a named SEQUENCE OF without adding constraints, otherwise the hint."""
        name = None
        if 'size' not in desc or desc['type'] == 'SEQUENCE OF':
            d = desc
            while d['type'] in self.typedefs and 'size' not in d:
                target = self.typedefs[d['type']][1]
                if target['type'] == 'SEQUENCE OF':
                    name = swift_type_name(d['type'])
                    rd = target
                    break
                d = target
        if name is None:
            name = hint
        if name not in self.list_codecs:
            self.list_codecs[name] = (name, rd)
        return name

    # --- expressions / statements ---------------------------------------------------------------

    def dec_expr(self, desc, reader, hint):
        kind, rd = self.codec_kind(desc)
        if kind == 'type':
            return 'try %s(from: &%s)' % (self.nominal_name_for(desc), reader)
        swift = self.builtin_swift_type(rd)
        if kind == 'INTEGER':
            ii = self.int_info(rd)
            if ii.constrained:
                bits = bits_for_range(ii.hi - ii.lo + 1)
                if bits == 0:
                    return '%s(%d)' % (swift, ii.lo)
                call = 'try %s.cvInt(lower: %d, upper: %d, bits: %d)' % (reader, ii.lo, ii.hi, bits)
                return call if swift == 'Int64' else '%s(truncatingIfNeeded: %s)' % (swift, call)
            if ii.lo is not None and ii.hi is not None:
                return 'try %s.readConstrainedInt(lower: %d, upper: %d, extensible: true)' % (
                    reader, ii.lo, ii.hi)
            if ii.lo is not None:
                if ii.ext:
                    return 'try %s.cvExtensibleSemiConstrainedInt(lower: %d)' % (reader, ii.lo)
                return 'try %s.readSemiConstrainedInt(lower: %d)' % (reader, ii.lo)
            if ii.ext:
                return 'try %s.cvExtensibleUnconstrainedInt()' % reader
            return 'try %s.readUnconstrainedInt()' % reader
        if kind == 'BOOLEAN':
            return 'try %s.readBool()' % reader
        if kind == 'NULL':
            return 'ASN1Null()'
        if kind == 'BIT STRING':
            si = self.size_info(rd)
            if si.fixed and si.lo <= 64:
                return 'try %s.cvFixedBitString(count: %d)' % (reader, si.lo)
            if swift == 'ShortBitString' and si.ext and si.lo is not None and si.lo == si.hi and si.lo <= BATCH_BITS:
                # SIZE(n, ...): the extension bit, then the n bits inline; the size extension out of line.
                return ('try (%s.readBool() ? %s.readShortBitStringExtension(lower: %d, upper: %d) '
                        ': ShortBitString(count: %d, bits: %s.readBits(%d)))') % (
                    reader, reader, si.lo, si.hi, si.lo, reader, si.lo)
            if swift == 'ShortBitString':
                return 'try %s.readShortBitString(lower: %d, upper: %d, extensible: %s)' % (
                    reader, si.lo or 0, si.hi, 'true' if si.ext else 'false')
            return 'try %s.readBitString(%s)' % (reader, si.swift_args())
        if kind == 'OCTET STRING':
            si = self.size_info(rd)
            if swift.startswith('Octets'):
                return 'try %s.cvFixedOctets(%s.self)' % (reader, swift)
            return 'try %s.readOctetString(%s)' % (reader, si.swift_args())
        if kind in KNOWN_MULTIPLIER:
            si = self.size_info(rd)
            if 'from' in rd:
                raise GeneratorError('permitted alphabet constraints (FROM) are not supported yet')
            return 'try %s.readKnownMultiplierString(%s, %s)' % (
                reader, KNOWN_MULTIPLIER[kind], si.swift_args())
        if kind == 'UTF8String':
            si = self.size_info(rd)
            return 'try %s.readUTF8String(%s)' % (reader, si.swift_args())
        if kind == 'SEQUENCE OF':
            name = self.list_codec_name(desc, rd, hint)
            return 'try %s.decode%s(from: &%s)' % (self.ns, name, reader)
        if kind == 'OpenType':
            return 'try %s.readOpenTypeBytes()' % reader
        raise GeneratorError('cannot decode %s' % kind)

    def nominal_name_for(self, desc):
        if 'swift-hoisted' in desc:
            return desc['swift-hoisted']
        # Follow aliases (A ::= B) to the struct/enum that has the codec.
        d = desc
        while d['type'] not in BUILTIN and 'swift-hoisted' not in d:
            name = d['type']
            nd = self.typedefs[name][1]
            if nd['type'] in CONSTRUCTED:
                return swift_type_name(name)
            d = nd
        if 'swift-hoisted' in d:
            return d['swift-hoisted']
        raise GeneratorError('no nominal type for %s' % desc['type'])

    def blank_expr(self, desc):
        """The value a component holds before it is decoded in place (see README, "Decoding in
        place"): zero, empty, the first enumeration value or a nested blank value."""
        kind, rd = self.codec_kind(desc)
        if kind == 'type':
            if rd['type'] == 'ENUMERATED':
                first = next(v for v in rd['values'] if v is not None)
                return '.%s' % member_identifier(first[0])
            return '%s(uperBlank: ())' % self.nominal_name_for(desc)
        swift = self.builtin_swift_type(rd)
        if kind == 'INTEGER':
            return '0'
        if kind == 'BOOLEAN':
            return 'false'
        if kind == 'NULL':
            return 'ASN1Null()'
        if kind == 'BIT STRING':
            return '%s(count: 0, bits: 0)' % swift
        if kind == 'OCTET STRING':
            return '%s()' % swift if swift.startswith('Octets') else '[]'
        if kind in KNOWN_MULTIPLIER or kind == 'UTF8String':
            return '""'
        if kind in ('SEQUENCE OF', 'OpenType'):
            return '[]'
        raise GeneratorError('no blank value for %s' % kind)

    def in_place_stmt(self, desc, lvalue, reader, hint):
        """A statement that decodes into the existing value at `lvalue`, reusing its storage, or
        None when the component is assigned from an expression instead (scalars, enumerations,
        leaf SEQUENCEs written out in the parent, CHOICEs without lists). Every other SEQUENCE is
        decoded in place even when it holds no list: that writes its components where they are
        kept instead of building a value and copying it in (VehicleSafetyExtensions in a BSM: -81
        instructions)."""
        kind, rd = self.codec_kind(desc)
        if kind == 'type' and rd['type'] in ('SEQUENCE', 'CHOICE') and self.needs_in_place(desc):
            return 'try %s.decode(from: &%s)' % (lvalue, reader)
        if kind == 'type' and rd['type'] == 'SEQUENCE' and not self.inline_leaf(desc):
            return 'try %s.decode(from: &%s)' % (lvalue, reader)
        if kind == 'SEQUENCE OF':
            name = self.list_codec_name(desc, rd, hint)
            return 'try %s.decode%s(into: &%s, from: &%s)' % (self.ns, name, lvalue, reader)
        return None

    def enc_stmts(self, desc, value, writer, hint):
        """Statements encoding `value` (a Swift expression of the member's type)."""
        kind, rd = self.codec_kind(desc)
        if kind == 'type':
            return ['try %s.encode(to: &%s)' % (value, writer)]
        swift = self.builtin_swift_type(rd)
        if kind == 'INTEGER':
            ii = self.int_info(rd)
            v = value if swift == 'Int64' else 'Int64(%s)' % value
            if ii.constrained:
                bits = bits_for_range(ii.hi - ii.lo + 1)
                return ['try %s.cvInt(%s, lower: %d, upper: %d, bits: %d)' % (
                    writer, v, ii.lo, ii.hi, bits)]
            if ii.lo is not None and ii.hi is not None:
                return ['try %s.writeConstrainedInt(%s, lower: %d, upper: %d, extensible: true)' % (
                    writer, v, ii.lo, ii.hi)]
            if ii.lo is not None:
                if ii.ext:
                    return ['try %s.cvExtensibleSemiConstrainedInt(%s, lower: %d)' % (writer, v, ii.lo)]
                return ['try %s.writeSemiConstrainedInt(%s, lower: %d)' % (writer, v, ii.lo)]
            if ii.ext:
                return ['try %s.cvExtensibleUnconstrainedInt(%s)' % (writer, v)]
            return ['try %s.writeUnconstrainedInt(%s)' % (writer, v)]
        if kind == 'BOOLEAN':
            return ['%s.writeBool(%s)' % (writer, value)]
        if kind == 'NULL':
            return []
        if kind == 'BIT STRING':
            si = self.size_info(rd)
            return ['try %s.writeBitString(%s, %s)' % (writer, value, si.swift_args())]
        if kind == 'OCTET STRING':
            si = self.size_info(rd)
            if swift.startswith('Octets'):
                return ['try %s.writeFixedOctets(%s)' % (writer, value)]
            return ['try %s.writeOctetString(%s, %s)' % (writer, value, si.swift_args())]
        if kind in KNOWN_MULTIPLIER:
            si = self.size_info(rd)
            return ['try %s.writeKnownMultiplierString(%s, %s, %s)' % (
                writer, value, KNOWN_MULTIPLIER[kind], si.swift_args())]
        if kind == 'UTF8String':
            si = self.size_info(rd)
            return ['try %s.writeUTF8String(%s, %s)' % (writer, value, si.swift_args())]
        if kind == 'SEQUENCE OF':
            name = self.list_codec_name(desc, rd, hint)
            return ['try %s.encode%s(%s, to: &%s)' % (self.ns, name, value, writer)]
        if kind == 'OpenType':
            return ['try %s.writeOpenTypeBytes(%s)' % (writer, value)]
        raise GeneratorError('cannot encode %s' % kind)

    def jer_stmts(self, desc, value, hint):
        kind, rd = self.codec_kind(desc)
        if kind == 'type':
            return ['%s.writeJER(to: &w)' % value]
        swift = self.builtin_swift_type(rd)
        if kind == 'INTEGER':
            return ['w.int(%s)' % (value if swift == 'Int64' else 'Int64(%s)' % value)]
        if kind == 'BOOLEAN':
            return ['w.bool(%s)' % value]
        if kind == 'NULL':
            return ['w.null()']
        if kind == 'BIT STRING':
            si = self.size_info(rd)
            # asn1tools' JER: a hex string when the size constraint has one value (even with an
            # extension marker), otherwise {"value": hex, "length": n}.
            fixed = si.lo is not None and si.lo == si.hi
            return ['w.bitString(%s, fixedSize: %s)' % (value, 'true' if fixed else 'false')]
        if kind in ('OCTET STRING', 'OpenType'):
            return ['w.hex(%s)' % value]
        if kind in KNOWN_MULTIPLIER or kind == 'UTF8String':
            return ['w.string(%s)' % value]
        if kind == 'SEQUENCE OF':
            self.loop_depth += 1
            var = 'e%d' % self.loop_depth
            inner = self.jer_stmts(rd['element'], var, hint + 'Element')
            self.loop_depth -= 1
            return (['w.beginArray()', 'for %s in %s {' % (var, value)]
                    + ['    ' + s for s in inner] + ['}', 'w.endArray()'])
        raise GeneratorError('cannot render %s' % kind)

    # --- default values -------------------------------------------------------------------------

    def default_literal(self, mdesc):
        value = mdesc['default']
        kind, rd = self.codec_kind(mdesc)
        if kind == 'INTEGER':
            return str(self.value_of(value))
        if kind == 'BOOLEAN':
            return 'true' if value else 'false'
        if kind == 'type' and rd['type'] == 'ENUMERATED':
            return '.' + swift_identifier(value)
        raise GeneratorError('DEFAULT values of type %s are not supported' % kind)

    # --- emission ---------------------------------------------------------------------------------

    def doc_line(self, decl):
        t = decl.desc['type']
        if decl.hoisted_from is not None:
            return '/// Inner type of `%s` (%s), module %s.' % (decl.hoisted_from.asn1_name, t, decl.module)
        return '/// ASN.1 `%s` (%s), module %s.' % (decl.asn1_name, t, decl.module)

    def emit_decl(self, decl, out):
        d = decl.desc
        t = d['type']
        if decl.hoisted_from is None and t not in BUILTIN and '.&' not in t:
            # A ::= B (possibly with extra constraints): alias.
            out.append(self.doc_line(decl))
            out.append('public typealias %s = %s' % (decl.swift_name, swift_type_name(t)))
            rd = self.resolve(d)
            return
        if t == 'SEQUENCE':
            self.emit_sequence(decl, out)
        elif t == 'CHOICE':
            self.emit_choice(decl, out)
        elif t == 'ENUMERATED':
            self.emit_enumerated(decl, out)
        elif t == 'SET':
            raise GeneratorError('SET is not supported (%s)' % decl.asn1_name)
        else:
            out.append(self.doc_line(decl))
            out.append('public typealias %s = %s' % (decl.swift_name, self.builtin_swift_type(self.resolve(d))))
            if t == 'SEQUENCE OF':
                self.list_codec_name({'type': decl.asn1_name}, d, decl.swift_name)
            if t == 'BIT STRING' and d.get('named-bits'):
                out.append('')
                out.append('/// Named bits of `%s` (bit number = index into the `%s`).' % (
                    decl.asn1_name, self.builtin_swift_type(self.resolve(d))))
                out.append('public enum %sBit: Int, Sendable, CaseIterable {' % decl.swift_name)
                for name, number in d['named-bits']:
                    out.append('    case %s = %s' % (swift_identifier(name), self.value_of(number)
                                                       if not str(number).isdigit() else number))
                out.append('}')

    def split_members(self, d):
        root, additions = [], []
        seen_ext = 0
        for m in d['members']:
            if m is None:
                seen_ext += 1
                continue
            if isinstance(m, list):
                raise GeneratorError('extension addition groups [[ ]] are not supported')
            if seen_ext == 1:
                additions.append(m)
            else:
                root.append(m)
        return root, additions, seen_ext > 0

    def stored_out_of_line(self, m):
        """True for an OPTIONAL root component whose type is a SEQUENCE with a mandatory SEQUENCE OF
        component: such a rarely present, allocating part is kept in a `Boxed` reference so that the
        containing value stays small and cheap to copy (see README, "Out-of-line components")."""
        if not m.get('optional'):
            return False
        kind, rd = self.codec_kind(m)
        if kind != 'type' or rd['type'] != 'SEQUENCE':
            return False
        for c in rd['members']:
            if c is None or isinstance(c, list) or c.get('optional') or 'default' in c:
                continue
            if 'swift-hoisted' not in c and self.resolve(c)['type'] == 'SEQUENCE OF':
                return True
        return False

    def holds_storage(self, m):
        """True for a component whose value owns allocated storage that a decode in place reuses:
        a list holder (see needs_in_place) or a SEQUENCE with an out-of-line (`Boxed`) component.
        An OPTIONAL one keeps that storage in a `Spare` while absent (see README, "Decoding in
        place")."""
        if self.needs_in_place(m):
            return True
        kind, rd = self.codec_kind(m)
        if kind == 'type' and rd['type'] == 'SEQUENCE':
            root, _, _ = self.split_members(rd)
            return any(self.stored_out_of_line(c) for c in root)
        return False

    def surplus_element(self, m):
        """The Swift element type of list component `m` when its elements own storage (their
        surplus is kept in a `Spare` beside the list), else None."""
        kind, rd = self.codec_kind(m)
        if kind != 'SEQUENCE OF':
            return None
        elem = rd['element']
        ek, erd = self.codec_kind(elem)
        if ek == 'type' and erd['type'] == 'SEQUENCE' and self.holds_storage(elem):
            return self.swift_type(elem)
        return None

    def spared(self, m, mode, additions, boxed):
        """True for an OPTIONAL root component (not out of line) that gets a `Spare`."""
        return mode == 'optional' and m not in additions and id(m) not in boxed and self.holds_storage(m)

    def sequence_layout(self, d, asn1_name):
        """(root, additions, extensible, boxed ids, optional root members, props) of a SEQUENCE;
        props are (member, Swift identifier, Swift type, 'required' | 'optional' | 'default')."""
        root, additions, extensible = self.split_members(d)
        boxed = {id(m) for m in root if self.stored_out_of_line(m)}
        optional_root = [m for m in root if m.get('optional') or 'default' in m]
        if len(optional_root) > 63:
            raise GeneratorError('%s: more than 63 OPTIONAL/DEFAULT components' % asn1_name)
        props = []
        for m in root + additions:
            ident = member_identifier(m['name'])
            st = self.swift_type(m)
            if 'default' in m and m not in additions:
                props.append((m, ident, st, 'default'))
            elif m.get('optional') or m in additions:
                props.append((m, ident, st + '?', 'optional'))
            else:
                props.append((m, ident, st, 'required'))
        return root, additions, extensible, boxed, optional_root, props

    def needs_in_place(self, desc, visiting=None):
        """True for a SEQUENCE or CHOICE type that holds a list (SEQUENCE OF) in its root, directly
        or through nested root components other than out-of-line ones: such types decode in place
        so that a decode into an existing value reuses the lists' storage."""
        kind, rd = self.codec_kind(desc)
        if kind == 'SEQUENCE OF':
            return True
        if kind != 'type' or rd['type'] not in ('SEQUENCE', 'CHOICE'):
            return False
        key = self.nominal_name_for(desc)
        if key in self.in_place_memo:
            return self.in_place_memo[key]
        visiting = visiting or set()
        if key in visiting:
            return False
        visiting.add(key)
        root, _, _ = self.split_members(rd)
        result = any(not (rd['type'] == 'SEQUENCE' and self.stored_out_of_line(m))
                     and self.needs_in_place(m, visiting) for m in root)
        visiting.discard(key)
        self.in_place_memo[key] = result
        return result

    def inline_leaf(self, m):
        """True for a component whose type is a small SEQUENCE of scalars (no nested SEQUENCE or
        CHOICE, no lists, no extension additions): its decoding is written out in the parent's
        decoder instead of calling the type's own (see README, "Where decode time goes")."""
        kind, rd = self.codec_kind(m)
        if kind != 'type' or rd['type'] != 'SEQUENCE':
            return False
        root, additions, _ = self.split_members(rd)
        if additions or len(root) > 12:
            return False
        for c in root:
            ck, crd = self.codec_kind(c)
            if ck == 'type' and crd['type'] != 'ENUMERATED':
                return False
            if ck in ('SEQUENCE OF', 'OpenType'):
                return False
        return True

    def emit_sequence(self, decl, out):
        d = decl.desc
        name = decl.swift_name
        root, additions, extensible, boxed, optional_root, props = self.sequence_layout(d, decl.asn1_name)
        k = len(optional_root)
        preamble_bits = (1 if extensible else 0) + k
        opt_index = {id(m): i for i, m in enumerate(optional_root)}
        in_place = self.needs_in_place({'type': 'SEQUENCE', 'swift-hoisted': name, **d}
                                       if decl.hoisted_from is not None else {'type': decl.asn1_name})

        out.append(self.doc_line(decl))
        out.append('public struct %s: UPERCodable, JERRenderable, Hashable, Sendable {' % name)
        for m, ident, st, mode in props:
            note = ''
            if mode == 'default':
                note = ' (DEFAULT %s)' % m['default']
            elif m in additions:
                note = ' (extension addition)'
            if id(m) in boxed:
                plain = ident.strip('`')
                out.append('    /// `%s` (stored out of line in a `Boxed` reference)' % m['name'])
                out.append('    public var %s: %s {' % (ident, st))
                out.append('        get { _%s?.value }' % plain)
                out.append('        set { _%s = newValue.map { Boxed($0) } }' % plain)
                out.append('    }')
                out.append('    private var _%s: Boxed<%s>?' % (plain, st.rstrip('?')))
                out.append('    /// The box of `%s` kept by `decode(from:)` while it is absent (no part of the value).'
                           % m['name'])
                out.append('    private var _%sSpare = Spare<Boxed<%s>>()' % (plain, st.rstrip('?')))
                continue
            out.append('    /// `%s`%s' % (m['name'], note))
            out.append('    public var %s: %s' % (ident, st))
            if m not in additions and self.surplus_element(m):
                out.append('    /// Elements of `%s` a shorter list left over, kept by `decode(from:)` for reuse (no part of the value).'
                           % m['name'])
                out.append('    private var _%sSurplus = Spare<[%s]>()' % (ident.strip('`'), self.surplus_element(m)))
            if self.spared(m, mode, additions, boxed):
                out.append('    /// The storage of `%s` kept by `decode(from:)` while it is absent (no part of the value).'
                           % m['name'])
                out.append('    private var _%sSpare = Spare<%s>()' % (ident.strip('`'), st.rstrip('?')))
        if props:
            out.append('')
        # memberwise init
        params = []
        for m, ident, st, mode in props:
            if mode == 'optional':
                params.append('%s: %s = nil' % (ident, st))
            elif mode == 'default':
                params.append('%s: %s = %s' % (ident, st, self.default_literal(m)))
            else:
                params.append('%s: %s' % (ident, st))
        out.append('    /// Creates a value from its components.')
        if params:
            out.append('    public init(')
            for i, p in enumerate(params):
                out.append('        %s%s' % (p, ',' if i < len(params) - 1 else ''))
            out.append('    ) {')
        else:
            out.append('    public init() {')
        for m, ident, st, mode in props:
            plain = ident.strip('`')
            if id(m) in boxed:
                out.append('        self._%s = %s.map { Boxed($0) }' % (plain, ident))
            else:
                out.append('        self.%s = %s' % (plain, ident))
        out.append('    }')
        out.append('')

        # blank: the value a decode in place starts from
        out.append('    /// The value decoding starts from: every component zero, empty or absent (not a')
        out.append('    /// meaningful value by itself; see Tools/asn1swift/README.md, "Decoding in place").')
        out.append('    init(uperBlank: Void) {')
        for m, ident, st, mode in props:
            plain = ident.strip('`')
            if id(m) in boxed:
                out.append('        self._%s = nil' % plain)
            elif mode == 'optional':
                out.append('        self.%s = nil' % plain)
            elif mode == 'default':
                out.append('        self.%s = %s' % (plain, self.default_literal(m)))
            else:
                out.append('        self.%s = %s' % (plain, self.blank_expr(m)))
        out.append('    }')
        out.append('')

        # decode: a new value (components built up, nested lists fresh), and in place
        out.append('    /// Decodes from UPER (X.691 unaligned).')
        out.append('    public init(from reader: inout UPERReader) throws(UPERError) {')
        out.extend(self.sequence_decode_body(d, name, decl.asn1_name, False))
        out.append('    }')
        out.append('')
        out.append('    /// Decodes from UPER into this value, replacing every component (written in place).')
        if in_place:
            out.append('    /// Components that hold lists are decoded into the held ones, so the previous value\'s')
            out.append('    /// list storage is reused.')
        out.append('    /// On error the value is valid but unspecified.')
        out.append('    public mutating func decode(from reader: inout UPERReader) throws(UPERError) {')
        out.extend(self.sequence_decode_body(d, name, decl.asn1_name, True))
        out.append('    }')
        out.append('')

        # encode
        out.append('    /// Encodes to UPER (X.691 unaligned).')
        out.append('    public func encode(to writer: inout UPERWriter) throws(UPERError) {')
        if preamble_bits:
            mutated = k > 0 or bool(additions)
            out.append('        %s preamble: UInt64 = 0' % ('var' if mutated else 'let'))
            for m, ident, st, mode in props:
                if m in additions or mode == 'required':
                    continue
                plain = ident.strip('`')
                bit = k - 1 - opt_index[id(m)]
                if mode == 'default':
                    out.append('        if %s != %s { preamble |= 1 << %d }' % (
                        plain, self.default_literal(m), bit))
                else:
                    out.append('        if %s != nil { preamble |= 1 << %d }' % (plain, bit))
            if additions:
                cond = ' || '.join('%s != nil' % member_identifier(m['name']).strip('`') for m in additions)
                out.append('        let extended = %s' % cond)
                out.append('        if extended { preamble |= 1 << %d }' % k)
            out.append('        writer.writeBits(preamble, count: %d)' % preamble_bits)
        for m, ident, st, mode in props:
            if m in additions:
                continue
            plain = ident.strip('`')
            if mode == 'required':
                stmts = self.enc_stmts(m, plain, 'writer', name + upper_first(m['name']))
                out.extend(self.wrap_try_lines(stmts, m['name'], '        '))
            else:
                if mode == 'default':
                    out.append('        if %s != %s {' % (plain, self.default_literal(m)))
                    stmts = self.enc_stmts(m, plain, 'writer', name + upper_first(m['name']))
                else:
                    out.append('        if let %s {' % plain)
                    stmts = self.enc_stmts(m, plain, 'writer', name + upper_first(m['name']))
                out.extend(self.wrap_try_lines(stmts, m['name'], '            '))
                out.append('        }')
        if additions:
            n = len(additions)
            out.append('        if extended {')
            out.append('            var presence: UInt64 = 0')
            for i, m in enumerate(additions):
                plain = member_identifier(m['name']).strip('`')
                out.append('            if %s != nil { presence |= 1 << %d }' % (plain, n - 1 - i))
            out.append('            try writer.writeExtensionPresence(count: %d, presence: presence)' % n)
            for m in additions:
                plain = member_identifier(m['name']).strip('`')
                out.append('            if let %s {' % plain)
                out.append('                var sub = UPERWriter()')
                stmts = self.enc_stmts(m, plain, 'sub', name + upper_first(m['name']))
                stmts = stmts + ['try writer.writeOpenTypeBytes(sub.finish())']
                out.extend(self.wrap_try_lines(stmts, m['name'], '                '))
                out.append('            }')
            out.append('        }')
        out.append('    }')
        out.append('')

        # JER
        out.append('    /// Renders the X.697 JSON (JER) form, as asn1tools\' `jer` codec does.')
        out.append('    public func writeJER(to w: inout JERWriter) {')
        out.append('        w.beginObject()')
        for m, ident, st, mode in props:
            plain = ident.strip('`')
            stmts = self.jer_stmts(m, plain, name + upper_first(m['name']))
            if mode == 'optional':
                out.append('        if let %s {' % plain)
                out.append('            w.key(%s)' % swift_string_literal(m['name']))
                out.extend('            ' + s for s in stmts)
                out.append('        }')
            else:
                out.append('        w.key(%s)' % swift_string_literal(m['name']))
                out.extend('        ' + s for s in stmts)
        out.append('        w.endObject()')
        out.append('    }')
        out.append('}')

    def sequence_decode_body(self, d, name, asn1_name, in_place):
        """Statements (indented for a member function) decoding SEQUENCE `d` into `self`: in
        place (`in_place`: inside a mutating function, nested list holders decoded into the held
        values) or component by component (inside an initializer)."""
        root, additions, extensible, boxed, optional_root, props = self.sequence_layout(d, asn1_name)
        k = len(optional_root)

        def target(m, plain):
            return 'self._%s' % plain if id(m) in boxed else 'self.%s' % plain
        out = []
        saved_counter = self.batch_counter
        self.batch_counter = 0
        preamble_bits = (1 if extensible else 0) + k
        opt_index = {id(m): i for i, m in enumerate(optional_root)}
        root_props = [p for p in props if p[0] not in additions]
        widths = [self.fixed_width(p[0]) for p in root_props]
        i = 0
        if preamble_bits:
            run = []
            total = preamble_bits
            while (i < len(root_props) and root_props[i][3] == 'required' and widths[i] is not None
                   and total + widths[i][0] <= BATCH_BITS):
                run.append(i)
                total += widths[i][0]
                i += 1
            if run:
                self.emit_batch(out, name, k, opt_index, [(root_props[j], widths[j]) for j in run],
                                preamble_bits)
            else:
                out.append('        let preamble = try reader.readBits(%d)' % preamble_bits)
        if extensible:
            out.append('        let extended = preamble >> %d != 0' % k)
        while i < len(root_props):
            if widths[i] is not None:
                run = [i]
                total = widths[i][0]
                j = i + 1
                while j < len(root_props) and widths[j] is not None and total + widths[j][0] <= BATCH_BITS:
                    run.append(j)
                    total += widths[j][0]
                    j += 1
                if len(run) > 1:
                    self.emit_batch(out, name, k, opt_index, [(root_props[r], widths[r]) for r in run], 0)
                    i = j
                    continue
            m, ident, st, mode = root_props[i]
            i += 1
            plain = ident.strip('`')
            hint = name + upper_first(m['name'])
            member_in_place = None if id(m) in boxed or not in_place else self.in_place_stmt(
                m, 'self.%s%s' % (plain, '!' if mode == 'optional' else ''), 'reader', hint)
            if member_in_place is not None and self.surplus_element(m):
                member_in_place = member_in_place.replace(', from: &reader)', ', surplus: &self._%sSurplus, from: &reader)' % plain)
            if member_in_place is not None:
                wrapped = self.wrap_try(member_in_place, m['name'], '        ')
            elif id(m) in boxed and in_place:
                # Decoded into the box the previous value left when nothing else shares it.
                bt = st.rstrip('?')
                boxed_restore = [
                    '        if self._%s == nil, let box = self._%sSpare.value {' % (plain, plain),
                    '            self._%sSpare.value = nil' % plain,
                    '            self._%s = box' % plain,
                    '        }']
                wrapped = self.wrap_try(
                    'try Boxed.update(&%s, blank: %s(uperBlank: ())) { (value: inout %s) throws(UPERError) in '
                    'try value.decode(from: &reader) }' % (target(m, plain), bt, bt), m['name'], '        ')
            elif id(m) in boxed:
                wrapped = self.wrap_try('%s = Boxed(%s)' % (target(m, plain), self.dec_expr(m, 'reader', hint)),
                                        m['name'], '        ')
            elif self.inline_leaf(m):
                wrapped = ['        ' + line for line in self.inline_leaf_lines(m, plain)]
            else:
                wrapped = self.wrap_try('self.%s = %s' % (plain, self.dec_expr(m, 'reader', hint)),
                                        m['name'], '        ')
            if mode == 'required':
                out.extend(wrapped)
            else:
                bit = k - 1 - opt_index[id(m)]
                out.append('        if preamble & (1 << %d) != 0 {' % bit)
                spared = in_place and self.spared(m, mode, additions, boxed)
                if member_in_place is not None and spared:
                    # The storage kept while it was absent, else a blank value.
                    out.append('            if case .none = self.%s {' % plain)
                    out.append('                if let spare = self._%sSpare.value {' % plain)
                    out.append('                    self._%sSpare.value = nil' % plain)
                    out.append('                    self.%s = spare' % plain)
                    out.append('                } else {')
                    out.append('                    self.%s = %s' % (plain, self.blank_expr(m)))
                    out.append('                }')
                    out.append('            }')
                elif member_in_place is not None:
                    out.append('            if case .none = self.%s {' % plain)
                    out.append('                self.%s = %s' % (plain, self.blank_expr(m)))
                    out.append('            }')
                if id(m) in boxed and in_place:
                    out.extend(['    ' + s for s in boxed_restore])
                out.extend(['    ' + s for s in wrapped])
                out.append('        } else {')
                if mode == 'default':
                    out.append('            self.%s = %s' % (plain, self.default_literal(m)))
                elif spared:
                    # Keep the storage for the next value that has the component.
                    out.append('            if let value = self.%s {' % plain)
                    out.append('                self.%s = nil' % plain)
                    out.append('                self._%sSpare.value = value' % plain)
                    out.append('            }')
                elif id(m) in boxed and in_place:
                    # Keep the box for the next value that has the component.
                    out.append('            if let box = self._%s {' % plain)
                    out.append('                self._%s = nil' % plain)
                    out.append('                self._%sSpare.value = box' % plain)
                    out.append('            }')
                else:
                    out.append('            %s = nil' % target(m, plain))
                out.append('        }')
        for m in additions:
            out.append('        self.%s = nil' % member_identifier(m['name']).strip('`'))
        if extensible:
            out.append('        if extended {')
            if additions:
                out.append('            let (count, presence) = try reader.readExtensionPresence()')
                out.append('            for i in 0..<count where presence & (1 << UInt64(count - 1 - i)) != 0 {')
                out.append('                switch i {')
                for i, m in enumerate(additions):
                    plain = member_identifier(m['name']).strip('`')
                    expr = self.dec_expr(m, 'sub', name + upper_first(m['name']))
                    out.append('                case %d:' % i)
                    body = ['self.%s = try reader.cvOpenType { (sub: inout UPERReader) throws(UPERError) in' % plain,
                            '    %s' % expr, '}']
                    out.extend(self.wrap_try_lines(body, m['name'], '                    '))
                out.append('                default:')
                out.append('                    try reader.skipOpenType()')
                out.append('                }')
                out.append('            }')
            else:
                out.append('            try reader.cvSkipExtensionAdditions()')
            out.append('        }')
        self.batch_counter = saved_counter
        return out

    def inline_leaf_lines(self, m, plain, store=None):
        """The decoding of leaf-SEQUENCE component `m`, written out into a local and stored in
        `self.<plain>`, or by the statement `store` (a `do` scope keeps the inner names apart)."""
        kind, rd = self.codec_kind(m)
        cname = self.nominal_name_for(m)
        inner = self.sequence_decode_body(rd, cname, m['name'], False)
        inner = [re.sub(r'\bself\.', 'value.', line) for line in inner]
        lines = ['do throws(UPERError) {', '    var value = %s(uperBlank: ())' % cname]
        lines.extend('    ' + line[8:] for line in inner)
        lines.append('    ' + (store or 'self.%s = value' % plain))
        lines.append('} catch {')
        lines.append('    throw error.inField(%s)' % swift_string_literal(m['name']))
        lines.append('}')
        return lines

    # --- batched reads of fixed-width components ---------------------------------------------------

    def fixed_width(self, m):
        """(bits, kind, info) for a component whose encoding has a fixed number of bits, else None."""
        kind, rd = self.codec_kind(m)
        if kind == 'INTEGER':
            ii = self.int_info(rd)
            if ii.constrained:
                return (bits_for_range(ii.hi - ii.lo + 1), 'int', ii)
        elif kind == 'BOOLEAN':
            return (1, 'bool', None)
        elif kind == 'BIT STRING':
            si = self.size_info(rd)
            if si.fixed and si.lo <= 64:
                return (si.lo, 'bits', si)
        elif kind == 'type' and rd['type'] == 'ENUMERATED':
            values = rd['values']
            if None not in values and len(values) > 1:
                return (bits_for_range(len(values)), 'enum', len(values))
        return None

    def emit_batch(self, out, name, k, opt_index, fields, preamble_bits):
        """One `readBits` for the preamble (if any) and a run of fixed-width components; optional
        ones count only when present (the width is computed from the presence bits)."""
        n = self.batch_counter = getattr(self, 'batch_counter', 0) + 1
        v, t, sh, st = 'batch%d' % n, 'total%d' % n, 'shift%d' % n, 'start%d' % n
        const = preamble_bits + sum(w for (m, ident, stype, mode), (w, kind, info) in fields if mode == 'required')
        terms = [str(const)]
        trunc = []
        if preamble_bits:
            trunc.append('("", %d)' % preamble_bits)
        for (m, ident, stype, mode), (w, kind, info) in fields:
            if mode == 'required':
                trunc.append('(%s, %d)' % (swift_string_literal(m['name']), w))
            else:
                bit = k - 1 - opt_index[id(m)]
                terms.append('(preamble & (1 << %d) != 0 ? %d : 0)' % (bit, w))
                trunc.append('(%s, preamble & (1 << %d) != 0 ? %d : 0)' % (swift_string_literal(m['name']), bit, w))
        out.append('        let %s = %s' % (t, ' &+ '.join(terms)))
        out.append('        guard reader.remainingBits >= %s else {' % t)
        out.append('            throw reader.cvEndOfData([%s])' % ', '.join(trunc))
        out.append('        }')
        needs_start = any(kind == 'enum' or (kind == 'int' and (1 << w) - 1 > info.hi - info.lo)
                          for _, (w, kind, info) in fields)
        if needs_start:
            out.append('        let %s = reader.bitOffset' % st)
        out.append('        let %s = try reader.readBits(%s)' % (v, t))
        out.append('        var %s = %s' % (sh, t))
        if preamble_bits:
            out.append('        %s &-= %d' % (sh, preamble_bits))
            out.append('        let preamble = %s &>> UInt64(truncatingIfNeeded: %s)' % (v, sh))
        for (m, ident, stype, mode), (w, kind, info) in fields:
            plain = ident.strip('`')
            # Wrapping arithmetic: the widths add up to at most 64 (checked above), and without
            # overflow traps the error-only offset computations sink into the error branches.
            lines = ['%s &-= %d' % (sh, w)]
            mask = '~UInt64(0)' if w == 64 else '((1 << %d) - 1)' % w
            raw = '(%s &>> UInt64(truncatingIfNeeded: %s)) & %s' % (v, sh, mask) if w else '0'
            offset = '%s &+ %s &- %s &- %d' % (st, t, sh, w)
            fname = swift_string_literal(m['name'])
            swift = stype.rstrip('?')
            if kind == 'int':
                ii = info
                lines.append('let raw%s = %s' % (plain, raw))
                if (1 << w) - 1 > ii.hi - ii.lo:
                    lines.append('if raw%s > %d {' % (plain, ii.hi - ii.lo))
                    lines.append('    throw UPERError.cvOutOfRange(raw%s, lower: %d, upper: %d, bitOffset: %s, field: %s)' % (
                        plain, ii.lo, ii.hi, offset, fname))
                    lines.append('}')
                int_swift = self.builtin_swift_type(self.resolve(m))
                lines.append('self.%s = %s(truncatingIfNeeded: %d &+ Int64(bitPattern: raw%s))' % (plain, int_swift, ii.lo, plain))
            elif kind == 'bool':
                lines.append('self.%s = %s != 0' % (plain, raw))
            elif kind == 'bits':
                lines.append('self.%s = ShortBitString(count: %d, bits: %s)' % (plain, w, raw))
            else:
                lines.append('self.%s = try %s(cvRootIndex: Int(truncatingIfNeeded: %s), bitOffset: %s, field: %s)' % (
                    plain, self.nominal_name_for(m), raw, offset, fname))
            if mode == 'required':
                out.extend('        ' + l for l in lines)
            else:
                bit = k - 1 - opt_index[id(m)]
                out.append('        if preamble & (1 << %d) != 0 {' % bit)
                out.extend('            ' + l for l in lines)
                out.append('        } else {')
                if mode == 'default':
                    out.append('            self.%s = %s' % (plain, self.default_literal(m)))
                else:
                    out.append('            self.%s = nil' % plain)
                out.append('        }')

    def wrap_try(self, body, asn1_name, indent):
        return self.wrap_try_lines([body], asn1_name, indent)

    def wrap_try_lines(self, stmts, asn1_name, indent):
        if not any('try ' in s for s in stmts):
            return [indent + s for s in stmts]
        out = [indent + 'do {']
        out.extend(indent + '    ' + s for s in stmts)
        out.append(indent + '} catch {')
        out.append(indent + '    throw error.inField(%s)' % swift_string_literal(asn1_name))
        out.append(indent + '}')
        return out

    def emit_choice(self, decl, out):
        d = decl.desc
        name = decl.swift_name
        root, additions, extensible = self.split_members(d)
        if not root:
            raise GeneratorError('%s: CHOICE without root alternatives' % decl.asn1_name)
        out.append(self.doc_line(decl))
        out.append('public enum %s: UPERCodable, JERRenderable, Hashable, Sendable {' % name)
        for m in root + additions:
            note = ' (extension addition)' if m in additions else ''
            out.append('    /// `%s`%s' % (m['name'], note))
            out.append('    case %s(%s)' % (member_identifier(m['name']), self.swift_type(m)))
        if extensible:
            out.append('    /// An extension alternative this schema does not know: its index among the')
            out.append('    /// extension additions and the raw octets of its open-type encoding.')
            out.append('    case unknownExtension(index: Int, bytes: [UInt8])')
        out.append('')
        count = len(root)
        bits = bits_for_range(count)
        out.append('    /// The value decoding starts from (not a meaningful value by itself; see')
        out.append('    /// Tools/asn1swift/README.md, "Decoding in place").')
        out.append('    init(uperBlank: Void) {')
        if extensible:
            out.append('        self = .unknownExtension(index: 0, bytes: [])')
        else:
            out.append('        self = .%s(%s)' % (member_identifier(root[0]['name']), self.blank_expr(root[0])))
        out.append('    }')
        out.append('')
        in_place = self.needs_in_place({'type': 'CHOICE', 'swift-hoisted': name, **d}
                                       if decl.hoisted_from is not None else {'type': decl.asn1_name})
        out.append('    /// Decodes from UPER (X.691 unaligned).')
        out.append('    public init(from reader: inout UPERReader) throws(UPERError) {')
        out.extend(self.choice_decode_body(name, root, additions, extensible, False))
        out.append('    }')
        out.append('')
        if in_place:
            out.append('    /// Decodes from UPER into this value. When the alternative is the one this value')
            out.append('    /// holds, it is decoded in place and its lists\' storage is reused; on error the value')
            out.append('    /// is valid but unspecified.')
            out.append('    public mutating func decode(from reader: inout UPERReader) throws(UPERError) {')
            out.extend(self.choice_decode_body(name, root, additions, extensible, True))
        else:
            out.append('    /// Decodes from UPER into this value, replacing it (the type holds no lists).')
            out.append('    public mutating func decode(from reader: inout UPERReader) throws(UPERError) {')
            out.append('        self = try Self(from: &reader)')
        out.append('    }')
        out.append('')
        out.append('    /// Encodes to UPER (X.691 unaligned).')
        out.append('    public func encode(to writer: inout UPERWriter) throws(UPERError) {')
        out.append('        switch self {')
        for i, m in enumerate(root):
            ident = member_identifier(m['name'])
            out.append('        case .%s(let value):' % ident)
            if extensible:
                out.append('            writer.writeBool(false)')
            if bits:
                out.append('            writer.writeBits(%d, count: %d)' % (i, bits))
            stmts = self.enc_stmts(m, 'value', 'writer', name + upper_first(m['name']))
            out.extend(self.wrap_try_lines(stmts, m['name'], '            ') or ['            break'])
        for i, m in enumerate(additions):
            ident = member_identifier(m['name'])
            out.append('        case .%s(let value):' % ident)
            out.append('            writer.writeBool(true)')
            out.append('            try writer.writeNormallySmallNonNegative(%d)' % i)
            out.append('            var sub = UPERWriter()')
            stmts = self.enc_stmts(m, 'value', 'sub', name + upper_first(m['name']))
            out.extend(self.wrap_try_lines(stmts, m['name'], '            '))
            out.append('            try writer.writeOpenTypeBytes(sub.finish())')
        if extensible:
            out.append('        case .unknownExtension(let index, let bytes):')
            out.append('            writer.writeBool(true)')
            out.append('            try writer.writeNormallySmallNonNegative(index)')
            out.append('            try writer.writeOpenTypeBytes(bytes)')
        out.append('        }')
        out.append('    }')
        out.append('')
        out.append('    /// Renders the X.697 JSON (JER) form: `{"alternative": value}`; an unknown extension')
        out.append('    /// alternative as `{"unknownExtension": {"index": i, "bytes": "HEX"}}`.')
        out.append('    public func writeJER(to w: inout JERWriter) {')
        out.append('        w.beginObject()')
        out.append('        switch self {')
        for m in root + additions:
            ident = member_identifier(m['name'])
            out.append('        case .%s(let value):' % ident)
            out.append('            w.key(%s)' % swift_string_literal(m['name']))
            out.extend('            ' + s for s in self.jer_stmts(m, 'value', name + upper_first(m['name'])))
        if extensible:
            out.append('        case .unknownExtension(let index, let bytes):')
            out.append('            w.unknownChoiceExtension(index: index, bytes: bytes)')
        out.append('        }')
        out.append('        w.endObject()')
        out.append('    }')
        out.append('}')

    def choice_decode_body(self, name, root, additions, extensible, in_place):
        """Statements decoding a CHOICE into `self`: in an initializer (`in_place` false) every
        alternative is decoded fresh; in the mutating `decode(from:)` an alternative that holds
        lists is decoded into the value `self` already holds when it is the same alternative."""
        out = []
        count = len(root)
        bits = bits_for_range(count)
        # An extensible CHOICE of 2 or more root alternatives reads its extension bit and root
        # index in one read (`cvExtensibleIndex`: -1 for an extension alternative).
        joint = extensible and count > 1
        if joint:
            out.append('        let rootIndex = try reader.cvExtensibleIndex(count: %d, bits: %d)' % (count, bits))
        if extensible:
            out.append('        if %s {' % ('rootIndex < 0' if joint else 'try reader.readBool()'))
            out.append('            let index = try reader.readNormallySmallNonNegative()')
            if additions:
                out.append('            switch index {')
                for i, m in enumerate(additions):
                    ident = member_identifier(m['name'])
                    expr = self.dec_expr(m, 'sub', name + upper_first(m['name']))
                    out.append('            case %d:' % i)
                    body = ['self = .%s(' % ident,
                            '    try reader.cvOpenType { (sub: inout UPERReader) throws(UPERError) in',
                            '        %s' % expr, '    })']
                    out.extend(self.wrap_try_lines(body, m['name'], '                '))
                out.append('            default:')
                out.append('                self = .unknownExtension(index: index, bytes: try reader.readOpenTypeBytes())')
                out.append('            }')
            else:
                out.append('            self = .unknownExtension(index: index, bytes: try reader.readOpenTypeBytes())')
            out.append('            return')
            out.append('        }')
        if count == 1:
            out.extend(self.choice_alternative_decode(root[0], name, '        ', in_place))
        else:
            out.append('        switch %s {' % ('rootIndex' if joint else 'try reader.cvIndex(count: %d, bits: %d)' % (count, bits)))
            for i, m in enumerate(root):
                out.append('        %s' % ('case %d:' % i if i < count - 1 else 'default:'))
                out.extend(self.choice_alternative_decode(m, name, '            ', in_place))
            out.append('        }')
        return out

    def choice_alternative_decode(self, m, name, indent, in_place):
        """Statements decoding root alternative `m` into `self`: in place (reusing the held value's
        storage) when `self` holds the same alternative and its type decodes in place."""
        ident = member_identifier(m['name'])
        hint = name + upper_first(m['name'])
        kind, rd = self.codec_kind(m)
        if in_place and kind == 'type' and rd['type'] == 'SEQUENCE':
            in_place = 'try value.decode(from: &reader)'
        else:
            in_place = self.in_place_stmt(m, 'value', 'reader', hint) if in_place else None
        if in_place is None and self.inline_leaf(m):
            return [indent + line for line in self.inline_leaf_lines(m, None, 'self = .%s(value)' % ident)]
        if in_place is None:
            return self.wrap_try('self = .%s(%s)' % (ident, self.dec_expr(m, 'reader', hint)), m['name'], indent)
        # `consume self` moves the held value out without a copy, so `value` holds the only
        # reference to its storage; every exit (including a throw) puts a value back into `self`.
        lines = [
            indent + 'var value: %s' % self.swift_type(m),
            indent + 'if case .%s(let held) = consume self {' % ident,
            indent + '    value = held',
            indent + '} else {',
            indent + '    value = %s' % self.blank_expr(m),
            indent + '}',
            indent + 'do throws(UPERError) {',
            indent + '    ' + in_place,
            indent + '} catch {',
            indent + '    self = .%s(value)' % ident,
            indent + '    throw error.inField(%s)' % swift_string_literal(m['name']),
            indent + '}',
            indent + 'self = .%s(value)' % ident,
        ]
        return lines

    def emit_enumerated(self, decl, out):
        d = decl.desc
        name = decl.swift_name
        root, additions, seen = [], [], 0
        for v in d['values']:
            if v is None:
                seen += 1
                continue
            (additions if seen else root).append(v)
        extensible = seen > 0
        # X.691 13.2: root indexes follow the ascending order of the enumeration values.
        root_sorted = sorted(root, key=lambda v: v[1])
        out.append(self.doc_line(decl))
        out.append('public enum %s: UPERCodable, JERRenderable, Hashable, Sendable {' % name)
        for vname, number in root + additions:
            out.append('    /// `%s` (%s)%s' % (vname, number, ' (extension addition)' if (vname, number) in additions else ''))
            out.append('    case %s' % member_identifier(vname))
        if extensible:
            out.append('    /// An extension value this schema does not know (its index among the extension additions).')
            out.append('    case unknownExtension(Int)')
        out.append('')
        count = len(root_sorted)
        bits = bits_for_range(count)
        out.append('    /// Decodes from UPER (X.691 unaligned).')
        out.append('    public init(from reader: inout UPERReader) throws(UPERError) {')
        # Extension bit and root index in one read (`cvExtensibleIndex`: -1 for an extension value).
        joint = extensible and count > 1
        if joint:
            out.append('        let rootIndex = try reader.cvExtensibleIndex(count: %d, bits: %d)' % (count, bits))
        if extensible:
            out.append('        if %s {' % ('rootIndex < 0' if joint else 'try reader.readBool()'))
            out.append('            let index = try reader.readNormallySmallNonNegative()')
            if additions:
                out.append('            switch index {')
                for i, (vname, _) in enumerate(additions):
                    out.append('            case %d: self = .%s' % (i, member_identifier(vname)))
                out.append('            default: self = .unknownExtension(index)')
                out.append('            }')
            else:
                out.append('            self = .unknownExtension(index)')
            out.append('            return')
            out.append('        }')
        # A payload-free enum whose cases are declared in root-index order has case tag == root
        # index (Swift numbers payload-free cases 0..<n in declaration order): decode by tag.
        by_tag = not extensible and root == root_sorted and 2 <= count <= 256
        by_tag_comment = ('// Cases are declared in root-index order and carry no payload, so the case '
                          'with tag `index` is the value at root index `index`.')
        if count == 1:
            out.append('        self = .%s' % member_identifier(root_sorted[0][0]))
        elif by_tag:
            out.append('        ' + by_tag_comment)
            out.append('        self = unsafeBitCast(')
            out.append('            UInt8(truncatingIfNeeded: try reader.cvIndex(count: %d, bits: %d)), to: Self.self)' % (
                count, bits))
        else:
            out.append('        switch %s {' % ('rootIndex' if joint else 'try reader.cvIndex(count: %d, bits: %d)' % (count, bits)))
            for i, (vname, _) in enumerate(root_sorted):
                out.append('        %s self = .%s' % ('case %d:' % i if i < count - 1 else 'default:',
                                                      member_identifier(vname)))
            out.append('        }')
        out.append('    }')
        out.append('')
        if not extensible and count > 1:
            out.append('    /// The value at root index `index` (batched decoding); throws `invalidIndex` at `bitOffset`.')
            out.append('    @inline(__always)')
            out.append('    init(cvRootIndex index: Int, bitOffset: Int, field: StaticString) throws(UPERError) {')
            out.append('        guard UInt(bitPattern: index) < %d else {' % count)
            out.append('            throw UPERError.cvInvalidIndex(index, count: %d, bitOffset: bitOffset, field: field)' % count)
            out.append('        }')
            if by_tag:
                out.append('        ' + by_tag_comment)
                out.append('        self = unsafeBitCast(UInt8(truncatingIfNeeded: index), to: Self.self)')
            else:
                out.append('        switch index {')
                for i, (vname, _) in enumerate(root_sorted[:-1]):
                    out.append('        case %d: self = .%s' % (i, member_identifier(vname)))
                out.append('        default: self = .%s' % member_identifier(root_sorted[-1][0]))
                out.append('        }')
            out.append('    }')
            out.append('')
        out.append('    /// Encodes to UPER (X.691 unaligned).')
        out.append('    public func encode(to writer: inout UPERWriter) throws(UPERError) {')
        out.append('        switch self {')
        for i, (vname, _) in enumerate(root_sorted):
            out.append('        case .%s:' % member_identifier(vname))
            if extensible:
                out.append('            writer.writeBool(false)')
            if bits:
                out.append('            writer.writeBits(%d, count: %d)' % (i, bits))
            elif not extensible:
                out.append('            break')
        for i, (vname, _) in enumerate(additions):
            out.append('        case .%s:' % member_identifier(vname))
            out.append('            writer.writeBool(true)')
            out.append('            try writer.writeNormallySmallNonNegative(%d)' % i)
        if extensible:
            out.append('        case .unknownExtension(let index):')
            out.append('            writer.writeBool(true)')
            out.append('            try writer.writeNormallySmallNonNegative(index)')
        out.append('        }')
        out.append('    }')
        out.append('')
        out.append('    /// The ASN.1 identifier of this value (`nil` for an unknown extension value).')
        out.append('    public var identifier: StaticString? {')
        out.append('        switch self {')
        for vname, _ in root + additions:
            out.append('        case .%s: %s' % (member_identifier(vname), swift_string_literal(vname)))
        if extensible:
            out.append('        case .unknownExtension: nil')
        out.append('        }')
        out.append('    }')
        out.append('')
        out.append('    /// Renders the JER form: the identifier as a JSON string; an unknown extension value')
        out.append('    /// as `{"unknownExtension": index}`.')
        out.append('    public func writeJER(to w: inout JERWriter) {')
        if extensible:
            out.append('        if case .unknownExtension(let index) = self {')
            out.append('            w.unknownEnumeratedExtension(index: index)')
            out.append('            return')
            out.append('        }')
        out.append('        if let identifier { w.identifier(identifier) }')
        out.append('    }')
        out.append('}')

    def emit_list_codec(self, name, rd, out):
        si = self.size_info(rd)
        elem = rd['element']
        et = self.swift_type(elem)
        out.append('/// List codec of `%s` (SEQUENCE OF %s): decodes into `list`, replacing its elements and' % (name, et))
        out.append('/// reusing its storage (and, element by element, the storage of nested values).')
        out.append('static func decode%s(into list: inout [%s], from reader: inout UPERReader) throws(UPERError) {' % (name, et))
        out.append('    let count = try reader.readCount(%s)' % si.swift_args())
        in_place = self.in_place_stmt(elem, 'elements[index]', 'reader', name + 'Element')
        ek, erd = self.codec_kind(elem)
        if ek == 'type' and erd['type'] == 'SEQUENCE':
            # SEQUENCE elements are decoded over the held element, in place.
            in_place = 'try elements[index].decode(from: &reader)'
        if in_place is not None:
            stmts = [in_place]
        else:
            # Elements without lists: assigned over the held ones.
            stmts = ['elements[index] = %s' % self.dec_expr(elem, 'reader', name + 'Element')]
        # The list is first given `count` elements (surplus removed, blanks appended: no work when
        # the previous frame had as many), then decoded through one buffer pointer: one uniqueness
        # check per list instead of one per element, no bounds checks.
        out.append('    if list.count != count {')
        out.append('        resize%s(&list, to: count)' % name)
        out.append('    }')
        self.emit_buffer_loop(out, stmts)
        out.append('}')
        out.append('')
        out.append('/// Gives `list` exactly `count` elements: removes the surplus or appends blank values.')
        out.append('static func resize%s(_ list: inout [%s], to count: Int) {' % (name, et))
        out.append('    if list.count > count {')
        out.append('        list.removeSubrange(count...)')
        out.append('    } else {')
        out.append('        list.reserveCapacity(Swift.min(count, 1024))')
        out.append('        while list.count < count {')
        out.append('            list.append(%s)' % self.blank_expr(elem))
        out.append('        }')
        out.append('    }')
        out.append('}')
        out.append('')
        if self.holds_storage(elem):
            # Elements that own storage: surplus elements of a longer list are kept in `surplus`
            # and taken back, storage and all, when a later list is longer again.
            out.append('/// List codec of `%s` (SEQUENCE OF %s): as `decode%s(into:from:)`, but elements' % (name, et, name))
            out.append('/// that a shorter list leaves over are kept in `surplus` and reused, with their storage,')
            out.append('/// when a later list is longer (no allocation for a stream of varying list lengths).')
            out.append('static func decode%s(into list: inout [%s], surplus: inout Spare<[%s]>, from reader: inout UPERReader) throws(UPERError) {' % (name, et, et))
            out.append('    let count = try reader.readCount(%s)' % si.swift_args())
            out.append('    if list.count != count {')
            out.append('        resize%s(&list, to: count, surplus: &surplus)' % name)
            out.append('    }')
            self.emit_buffer_loop(out, ['try elements[index].decode(from: &reader)'])
            out.append('}')
            out.append('')
            out.append('/// Gives `list` exactly `count` elements: moves the surplus into `surplus`, or appends')
            out.append('/// elements taken back from `surplus`, then blank values.')
            out.append('static func resize%s(_ list: inout [%s], to count: Int, surplus: inout Spare<[%s]>) {' % (name, et, et))
            out.append('    if list.count > count {')
            out.append('        if case .none = surplus.value {')
            out.append('            surplus.value = []')
            out.append('        }')
            out.append('        surplus.value!.append(contentsOf: list[count...])')
            out.append('        list.removeSubrange(count...)')
            out.append('    } else {')
            out.append('        list.reserveCapacity(Swift.min(count, 1024))')
            out.append('        while list.count < count {')
            out.append('            if let element = surplus.value?.popLast() {')
            out.append('                list.append(element)')
            out.append('            } else {')
            out.append('                list.append(%s)' % self.blank_expr(elem))
            out.append('            }')
            out.append('        }')
            out.append('    }')
            out.append('}')
            out.append('')
        out.append('/// List codec of `%s` (SEQUENCE OF %s).' % (name, et))
        out.append('static func decode%s(from reader: inout UPERReader) throws(UPERError) -> [%s] {' % (name, et))
        out.append('    let count = try reader.readCount(%s)' % si.swift_args())
        out.append('    var list = [%s]()' % et)
        out.append('    list.reserveCapacity(Swift.min(count, 1024))')
        out.append('    for index in 0..<count {')
        expr = self.dec_expr(elem, 'reader', name + 'Element')
        if 'try ' in expr:
            out.append('        do {')
            out.append('            list.append(%s)' % expr)
            out.append('        } catch {')
            out.append('            throw error.inField("[\\(index)]")')
            out.append('        }')
        else:
            out.append('        _ = index')
            out.append('        list.append(%s)' % expr)
        out.append('    }')
        out.append('    return list')
        out.append('}')
        out.append('')
        out.append('/// List encoder of `%s`.' % name)
        out.append('static func encode%s(_ list: [%s], to writer: inout UPERWriter) throws(UPERError) {' % (name, et))
        out.append('    try writer.writeCount(list.count, %s)' % si.swift_args())
        out.append('    for (index, element) in list.enumerated() {')
        stmts = self.enc_stmts(elem, 'element', 'writer', name + 'Element')
        if any('try ' in s for s in stmts):
            out.append('        do {')
            out.extend('            ' + s for s in stmts)
            out.append('        } catch {')
            out.append('            throw error.inField("[\\(index)]")')
            out.append('        }')
        else:
            out.append('        _ = index')
            out.extend('        ' + s for s in stmts)
        out.append('    }')
        out.append('}')

    def emit_buffer_loop(self, out, stmts):
        """The element loop of an in-place list codec: `stmts` decode element `index` of the
        list's buffer (`elements`); an error adds `[index]` to its path."""
        out.append('    try list.withUnsafeMutableBufferPointer { (elements) throws(UPERError) in')
        out.append('        for index in 0..<elements.count {')
        if any('try ' in t for t in stmts):
            out.append('            do throws(UPERError) {')
            out.extend('                ' + t for t in stmts)
            out.append('            } catch {')
            out.append('                throw error.inField("[\\(index)]")')
            out.append('            }')
        else:
            out.extend('            ' + t for t in stmts)
        out.append('        }')
        out.append('    }')

    def emit_values(self, out):
        ints = []
        for vname in sorted(self.values, key=lambda n: (self.values[n][0], n)):
            module, v = self.values[vname]
            t = v.get('type')
            if not isinstance(t, str) or t not in self.typedefs:
                continue
            rd = self.resolve({'type': t})
            if rd['type'] != 'INTEGER' or not isinstance(v.get('value'), int):
                continue
            ints.append((vname, module, t, v['value']))
        if not ints:
            return
        out.append('/// Named INTEGER values of the modules (e.g. `BasicVehicleClass` codes).')
        out.append('public enum Values {')
        for vname, module, t, value in ints:
            out.append('    /// `%s %s ::= %d` (module %s)' % (vname, t, value, module))
            out.append('    public static let %s: %s = %d' % (swift_identifier(vname), swift_type_name(t), value))
        out.append('}')

    # --- files ----------------------------------------------------------------------------------

    def header(self, module):
        lines = [
            '// GENERATED FILE - DO NOT EDIT.',
            '// Generated by Tools/asn1swift/asn1swift.py from %s of the ASN.1 set %s' % (
                'module ' + module if module else 'the modules', self.set_label),
            '// (asn1tools %s parser). Regenerate with: %s' % (asn1tools.__version__, self.command),
            '',
            '// swift-format-ignore-file',
            '',
            'import UPER',
            '',
        ]
        return lines

    def generate(self):
        self.collect()
        files = {}
        by_module = {}
        for decl in self.decls:
            by_module.setdefault(decl.module, []).append(decl)
        # Emit declarations first so that list codecs are discovered, then the codecs.
        for module in sorted(by_module):
            body = []
            for decl in by_module[module]:
                self.emit_decl(decl, body)
                body.append('')
            files[module] = body
        emitted_lists = set()
        pending = True
        list_out = {}
        while pending:
            pending = False
            for key, (name, rd) in list(self.list_codecs.items()):
                if key in emitted_lists:
                    continue
                emitted_lists.add(key)
                pending = True
                out = []
                self.emit_list_codec(name, rd, out)
                list_out.setdefault('Lists', []).extend(out + [''])
        result = {}
        for module, body in files.items():
            text = self.header(module)
            text.append('extension %s {' % self.ns)
            text.extend(('    ' + line) if line else '' for line in body)
            while text and text[-1] == '':
                text.pop()
            text.append('}')
            result['%s+%s.swift' % (self.ns, module)] = '\n'.join(text) + '\n'
        ns_text = self.header(None)
        ns_text.append('/// Types of the ASN.1 message set %s, generated by Tools/asn1swift.' % self.set_label)
        ns_text.append('/// Entry point: `%s.MessageFrame`.' % self.ns if 'MessageFrame' in self.decl_by_swift else
                       '/// Generated namespace.')
        ns_text.append('public enum %s {' % self.ns)
        ns_text.append('    /// The message set these types were generated from.')
        ns_text.append('    public static let setName = %s' % swift_string_literal(self.set_label))
        values = []
        self.emit_values(values)
        if values:
            ns_text.append('')
            ns_text.extend(('    ' + line) if line else '' for line in values)
        ns_text.append('}')
        if list_out:
            ns_text.append('')
            ns_text.append('extension %s {' % self.ns)
            body = list_out['Lists']
            while body and body[-1] == '':
                body.pop()
            ns_text.extend(('    ' + line) if line else '' for line in body)
            ns_text.append('}')
        if self.top:
            ns_text.append('')
            ns_text.extend(self.top_level_extension())
            decoder = self.top_level_decoder()
            if decoder:
                text = self.header(None)
                text.append('extension %s {' % self.ns)
                text.extend(('    ' + line) if line else '' for line in decoder)
                text.append('}')
                result['%s+%sDecoder.swift' % (self.ns, swift_type_name(self.top))] = '\n'.join(text) + '\n'
        result['%s.swift' % self.ns] = '\n'.join(ns_text) + '\n'
        return result

    def top_level_decoder(self):
        """`<Top>Decoder` for a top-level CHOICE: a struct with one stored value per alternative,
        each decoded where it is kept. `MessageFrame.decode(from:)` must move the held alternative
        out of the enum and back (five copies of the 172-byte frame for a BSM); a stored property
        is decoded in place with no copy (typical BSM: 1,429 -> 1,187 instructions). See README,
        "Decoding in place"."""
        decl = next((d for d in self.decls if d.asn1_name == self.top and d.hoisted_from is None), None)
        if decl is None or decl.desc['type'] != 'CHOICE':
            return []
        top = decl.swift_name
        name = top + 'Decoder'
        root, additions, extensible = self.split_members(decl.desc)
        members = root + additions
        idents = [member_identifier(m['name']) for m in members]
        reserved = {'alternative', 'frame', 'decode', 'Alternative'}
        if extensible:
            reserved.add('unknownExtension')
        clash = [i for i in idents if i.strip('`') in reserved]
        if clash:
            raise GeneratorError('%s: alternative %s clashes with a member of %s' % (self.top, clash[0], name))
        n = swift_string_literal(self.top)
        out = [
            '/// Decodes a stream of `%s`s into values it keeps, one per alternative.' % top,
            '///',
            '/// Each frame is decoded into the stored value of its alternative, where it is kept: no copy',
            '/// of the decoded value, and the lists of the previous frame of the same alternative are',
            '/// reused, so steady traffic decodes without allocating. After `decode(uper:)`,',
            '/// `alternative` names the property that holds the frame; the other alternatives\' properties',
            '/// keep earlier frames. Read what you need before the next decode, or take `frame` (a copy).',
            'public struct %s: Sendable {' % name,
            '    /// The alternatives of `%s`.' % top,
            '    public enum Alternative: Hashable, Sendable, CaseIterable {',
        ]
        for m, ident in zip(members, idents):
            out.append('        /// `%s`' % m['name'])
            out.append('        case %s' % ident)
        if extensible:
            out.append('        /// An extension alternative this schema does not know.')
            out.append('        case unknownExtension')
        out.append('    }')
        out.append('')
        out.append('    /// The alternative of the last frame decoded: `nil` before the first decode and after a')
        out.append('    /// failed one.')
        out.append('    public private(set) var alternative: Alternative?')
        for m, ident in zip(members, idents):
            out.append('    /// The last `%s` decoded (the frame when `alternative` is `.%s`).' % (m['name'], ident.strip('`')))
            out.append('    public private(set) var %s: %s' % (ident, self.swift_type(m)))
        if extensible:
            out.append('    /// The last unknown extension alternative: its index among the extension additions and')
            out.append('    /// the raw octets of its open-type encoding.')
            out.append('    public private(set) var unknownExtension: (index: Int, bytes: [UInt8])')
        out.append('')
        out.append('    /// A decoder that holds no frame yet.')
        out.append('    public init() {')
        out.append('        alternative = nil')
        for m, ident in zip(members, idents):
            out.append('        %s = %s' % (ident, self.blank_expr(m)))
        if extensible:
            out.append('        unknownExtension = (index: 0, bytes: [])')
        out.append('    }')
        out.append('')
        out.append('    /// Decodes one `%s` from UPER (X.691 unaligned) into the kept value of its' % top)
        out.append('    /// alternative. Errors are those of `%s(from:)`.' % top)
        out.append('    public mutating func decode(from reader: inout UPERReader) throws(UPERError) {')
        out.append('        alternative = nil')
        joint = extensible and len(root) > 1
        if joint:
            # Extension bit and root index in one read (-1 for an extension alternative).
            out.append('        let rootIndex = try reader.cvExtensibleIndex(count: %d, bits: %d)' % (
                len(root), bits_for_range(len(root))))
        if extensible:
            out.append('        if %s {' % ('rootIndex < 0' if joint else 'try reader.readBool()'))
            out.append('            let index = try reader.readNormallySmallNonNegative()')
            if additions:
                out.append('            switch index {')
                for i, (m, ident) in enumerate(zip(additions, idents[len(root):])):
                    expr = self.dec_expr(m, 'sub', top + upper_first(m['name']))
                    out.append('            case %d:' % i)
                    body = ['self.%s = try reader.cvOpenType { (sub: inout UPERReader) throws(UPERError) in' % ident,
                            '    %s' % expr, '}', 'alternative = .%s' % ident]
                    out.extend(self.wrap_try_lines(body, m['name'], '                '))
                out.append('            default:')
                out.append('                unknownExtension = (index: index, bytes: try reader.readOpenTypeBytes())')
                out.append('                alternative = .unknownExtension')
                out.append('            }')
            else:
                out.append('            unknownExtension = (index: index, bytes: try reader.readOpenTypeBytes())')
                out.append('            alternative = .unknownExtension')
            out.append('            return')
            out.append('        }')

        def alternative_lines(m, ident, indent):
            hint = top + upper_first(m['name'])
            stmt = self.in_place_stmt(m, 'self.%s' % ident, 'reader', hint)
            if stmt is None:
                stmt = 'self.%s = %s' % (ident, self.dec_expr(m, 'reader', hint))
            lines = self.wrap_try(stmt, m['name'], indent)
            return lines + [indent + 'alternative = .%s' % ident]
        count = len(root)
        if count == 1:
            out.extend(alternative_lines(root[0], idents[0], '        '))
        else:
            out.append('        switch %s {' % ('rootIndex' if joint else 'try reader.cvIndex(count: %d, bits: %d)' % (
                count, bits_for_range(count))))
            for i, (m, ident) in enumerate(zip(root, idents)):
                out.append('        %s' % ('case %d:' % i if i < count - 1 else 'default:'))
                out.extend(alternative_lines(m, ident, '            '))
            out.append('        }')
        out.append('    }')
        out.append('')
        out.append('    /// Decodes one complete UPER encoding of a `%s` into the kept value of its alternative.' % top)
        out.append('    ///')
        out.append('    /// Errors are those of `%s(uper:)`; after an error `alternative` is `nil`.' % top)
        out.append('    public mutating func decode(uper buffer: UnsafeRawBufferPointer) throws(UPERError) {')
        out.append('        var reader = UPERReader(buffer)')
        out.append('        do {')
        out.append('            try decode(from: &reader)')
        out.append('        } catch {')
        out.append('            throw error.inField(%s)' % n)
        out.append('        }')
        out.append('        if reader.remainingBits >= 8 {')
        out.append('            alternative = nil')
        out.append('            throw UPERError(')
        out.append('                .trailingData(bits: reader.remainingBits), bitOffset: reader.bitOffset, path: [%s])' % n)
        out.append('        }')
        out.append('    }')
        out.append('')
        out.append('    /// The last frame decoded, as a `%s` (a copy); `nil` when `alternative` is.' % top)
        out.append('    public var frame: %s? {' % top)
        out.append('        switch alternative {')
        out.append('        case nil: nil')
        for ident in idents:
            out.append('        case .%s: .%s(%s)' % (ident.strip('`'), ident.strip('`'), ident))
        if extensible:
            out.append('        case .unknownExtension: .unknownExtension(index: unknownExtension.index, bytes: unknownExtension.bytes)')
        out.append('        }')
        out.append('    }')
        out.append('}')
        return out

    def top_level_extension(self):
        if self.top not in self.typedefs:
            raise GeneratorError('top-level type %s not found' % self.top)
        t = '%s.%s' % (self.ns, swift_type_name(self.top))
        n = swift_string_literal(self.top)
        return [
            'extension %s {' % t,
            '    /// Decodes one complete UPER encoding (X.691 unaligned) of a `%s`.' % self.top,
            '    ///',
            '    /// Errors carry the bit offset and the field path from `%s`. More than seven bits' % self.top,
            '    /// left over after the value (the final octet\'s padding) is an error (`trailingData`).',
            '    public init(uper buffer: UnsafeRawBufferPointer) throws(UPERError) {',
            '        var reader = UPERReader(buffer)',
            '        do {',
            '            try self.init(from: &reader)',
            '        } catch {',
            '            throw error.inField(%s)' % n,
            '        }',
            '        if reader.remainingBits >= 8 {',
            '            throw UPERError(',
            '                .trailingData(bits: reader.remainingBits), bitOffset: reader.bitOffset, path: [%s])' % n,
            '        }',
            '    }',
            '',
            '    /// Decodes one complete UPER encoding of a `%s` into this value, replacing it.' % self.top,
            '    ///',
            '    /// For a stream of frames: decoding each into the same variable reuses the storage of the',
            '    /// lists of the previous frame of the same kind, so steady traffic decodes without',
            '    /// allocating. Errors are those of `init(uper:)`; after an error the value is valid but',
            '    /// unspecified.',
            '    public mutating func decode(uper buffer: UnsafeRawBufferPointer) throws(UPERError) {',
            '        var reader = UPERReader(buffer)',
            '        do {',
            '            try decode(from: &reader)',
            '        } catch {',
            '            throw error.inField(%s)' % n,
            '        }',
            '        if reader.remainingBits >= 8 {',
            '            throw UPERError(',
            '                .trailingData(bits: reader.remainingBits), bitOffset: reader.bitOffset, path: [%s])' % n,
            '        }',
            '    }',
            '',
            '    /// Decodes one complete UPER encoding of a `%s` from an array.' % self.top,
            '    public init(uper bytes: [UInt8]) throws(UPERError) {',
            '        let result = bytes.withUnsafeBytes { buffer in',
            '            Result { () throws(UPERError) -> Self in try Self(uper: buffer) }',
            '        }',
            '        self = try result.get()',
            '    }',
            '',
            '    /// The complete UPER encoding (padded to whole octets).',
            '    public func uperEncoded() throws(UPERError) -> [UInt8] {',
            '        var writer = UPERWriter(capacity: 64)',
            '        do {',
            '            try encode(to: &writer)',
            '        } catch {',
            '            throw error.inField(%s)' % n,
            '        }',
            '        return writer.finish()',
            '    }',
            '}',
        ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('modules', help='folder with the .asn modules of one set (or .asn files)', nargs='+')
    ap.add_argument('--set', required=True, help='set label, e.g. csae53-2020')
    ap.add_argument('--namespace', required=True, help='Swift namespace enum, e.g. CSAE53_2020')
    ap.add_argument('--out', required=True, help='output folder (its *.swift files are replaced)')
    ap.add_argument('--top', default=None, help='top-level type that gets whole-frame decode/encode, e.g. MessageFrame')
    ap.add_argument('--command', default=None, help='regeneration command recorded in the headers')
    args = ap.parse_args(argv)
    files = []
    for p in args.modules:
        if os.path.isdir(p):
            files.extend(sorted(glob.glob(os.path.join(p, '*.asn'))))
        else:
            files.append(p)
    if not files:
        ap.error('no .asn files found')
    parsed = asn1tools.parse_files(files)
    command = args.command or 'Tools/asn1swift/generate-all.sh'
    gen = Generator(parsed, args.namespace, args.set, command, top=args.top)
    try:
        result = gen.generate()
    except GeneratorError as e:
        print('asn1swift: error: %s' % e, file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    for old in glob.glob(os.path.join(args.out, '*.swift')):
        os.remove(old)
    for name, text in sorted(result.items()):
        with open(os.path.join(args.out, name), 'w') as f:
            f.write(text)
    print('asn1swift: %s -> %s (%d files, %d types)' % (args.set, args.out, len(result), len(gen.decls)))
    return 0


if __name__ == '__main__':
    sys.exit(main())

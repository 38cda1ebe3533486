#!/usr/bin/env python3
"""Writes Tools/bench/cv2x-frames.hex: csae53-2020 MessageFrames shaped like roadside-unit traffic,
encoded with asn1tools from the reference modules (nothing of the modules is committed).

The frames: BSMs with vehicle safety extensions and a path history of 1, 4 and 15 points; a SPAT
of one intersection with 8 phases of 3 states each; a MAP of one node with 4 links of 3 lanes;
RSMs with 1 and 10 participants; an RSI with one event and an alert path of 6 points. Each is
decoded back and must give the same value. The output keeps the two earlier frames (RSM with 5
participants, MAP with 4 nodes) first, so older tables stay comparable.

    .venv/bin/python Tools/bench/make-cv2x-frames.py [ASN1_DIR]   (default: ../shared/reference/asn1)
"""
import glob
import os
import sys

import asn1tools

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def asn1_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    if os.environ.get('TESTZONE_ASN1_DIR'):
        return os.environ['TESTZONE_ASN1_DIR']
    d = ROOT
    while d != '/':
        d = os.path.dirname(d)
        if os.path.isdir(os.path.join(d, 'shared/reference/asn1')):
            return os.path.join(d, 'shared/reference/asn1')
    sys.exit('make-cv2x-frames: ASN.1 modules not found; pass the directory or set TESTZONE_ASN1_DIR')


LAT, LON = 313_456_789, 1_212_345_678  # Jiading, 1e-7 degrees


def position(dlat=0, dlon=0, elevation=True):
    p = {'lat': LAT + dlat, 'long': LON + dlon}
    if elevation:
        p['elevation'] = 45
    return p


def offset(i, scale=37):
    """A PositionOffsetLLV a few metres from the reference (Position-LL-24B, 12-bit offsets)."""
    return {'offsetLL': ('position-LL1', {'lon': (i * scale) % 2000 - 1000, 'lat': (i * scale * 3) % 2000 - 1000})}


def bsm(points):
    crumbs = []
    for i in range(points):
        crumbs.append({'llvOffset': {'offsetLL': ('position-LL3', {'lon': -1200 * (i + 1), 'lat': -900 * (i + 1)}),
                                     'offsetV': ('offset1', -2)},
                       'timeOffset': 100 * (i + 1), 'speed': 830 - 5 * i, 'heading': 60 + i})
    return ('bsmFrame', {
        'msgCnt': 17, 'id': b'\x00\x00\x00\x00\x12\x34\x56\x78', 'secMark': 41_500,
        'timeConfidence': 'time-000-010',
        'pos': position(), 'posAccuracy': {'semiMajor': 20, 'semiMinor': 15, 'orientation': 8000},
        'posConfidence': {'pos': 'a1m', 'elevation': 'elev-001-00'},
        'transmission': 'forwardGears', 'speed': 833, 'heading': 5_400, 'angle': -3,
        'motionCfd': {'speedCfd': 'prec1ms', 'headingCfd': 'prec01deg', 'steerCfd': 'prec2deg'},
        'accelSet': {'long': 35, 'lat': -12, 'vert': 0, 'yaw': 150},
        'brakes': {'brakePadel': 'off', 'wheelBrakes': (b'\x00', 5), 'traction': 'on', 'abs': 'on',
                   'scs': 'on', 'brakeBoost': 'off', 'auxBrakes': 'off'},
        'size': {'width': 185, 'length': 480, 'height': 30},
        'vehicleClass': {'classification': 10, 'fuelType': 1},
        'safetyExt': {'events': (b'\x00\x00', 13),
                      'pathHistory': {'currGNSSstatus': (b'\x5a', 8), 'crumbData': crumbs},
                      'pathPrediction': {'radiusOfCurve': 32767, 'confidence': 180},
                      'lights': (b'\x04\x00', 9)},
    })


def spat():
    phases = []
    for p in range(8):
        states = []
        for s, light in enumerate(('protected-green', 'yellow', 'red')):
            states.append({'light': light, 'timing': ('counting', {
                'startTime': 0 if s == 0 else 300 + 30 * s, 'likelyEndTime': 300 + 30 * (s + 1) + 10 * p,
                'timeConfidence': 190, 'nextDuration': 900})})
        phases.append({'id': p + 1, 'phaseStates': states})
    return ('spatFrame', {'msgCnt': 5, 'moy': 482_000, 'timeStamp': 12_000, 'intersections': [{
        'intersectionId': {'region': 1, 'id': 1001}, 'status': (b'\x00\x20', 16), 'moy': 482_000,
        'timeStamp': 12_000, 'timeConfidence': 'time-000-100', 'phases': phases}]})


def map_():
    links = []
    for k in range(4):
        lanes = []
        for j in range(3):
            lanes.append({'laneID': 10 * (k + 1) + j + 1, 'laneWidth': 350,
                          'laneAttributes': {'laneType': ('vehicle', (b'\x00', 8))},
                          'maneuvers': (bytes([(0x80, 0x40, 0x20)[j], 0]), 12),
                          'connectsTo': [{'remoteIntersection': {'region': 1, 'id': 1002 + k},
                                          'connectingLane': {'lane': 11 + j}, 'phaseId': 2 * k + 1}]})
        links.append({'upstreamNodeId': {'region': 1, 'id': 1002 + k},
                      'speedLimits': [{'type': 'vehicleMaxSpeed', 'speed': 833}], 'linkWidth': 1050,
                      'points': [{'posOffset': offset(10 * k + i, 91)} for i in range(2)],
                      'movements': [{'remoteIntersection': {'region': 1, 'id': 1002 + (k + 1) % 4},
                                     'phaseId': 2 * k + 1}],
                      'lanes': lanes})
    return ('mapFrame', {'msgCnt': 3, 'timeStamp': 482_000, 'nodes': [{
        'id': {'region': 1, 'id': 1001}, 'refPos': position(), 'inLinks': links}]})


def rsm(participants):
    ptcs = []
    for i in range(participants):
        ptcs.append({'ptcType': ('motor', 'non-motor', 'pedestrian')[i % 3], 'ptcId': 100 + i,
                     'source': 'integrated', 'secMark': 41_500, 'pos': offset(i + 1),
                     'posConfidence': {'pos': 'a2m', 'elevation': 'elev-002-00'},
                     'transmission': 'forwardGears', 'speed': 400 + 17 * i, 'heading': (1_000 * i) % 28_800,
                     'motionCfd': {'speedCfd': 'prec1ms', 'headingCfd': 'prec05deg'},
                     'accelSet': {'long': 10, 'lat': 0, 'vert': 0, 'yaw': 0},
                     'size': {'width': 180 if i % 3 == 0 else 60, 'length': 450 if i % 3 == 0 else 180},
                     'vehicleClass': {'classification': 10}})
    return ('rsmFrame', {'msgCnt': 9, 'id': b'RSU00001', 'refPos': position(), 'participants': ptcs})


def rsi():
    return ('rsiFrame', {'msgCnt': 12, 'moy': 482_000, 'id': b'RSU00001', 'refPos': position(), 'rtes': [{
        'rteId': 1, 'eventType': 501, 'eventSource': 'detection', 'eventPos': offset(3),
        'eventRadius': 50, 'timeDetails': {'startTime': 481_990, 'endTime': 482_030},
        'priority': b'\xe0',
        'referencePaths': [{'activePath': [offset(i, 113) for i in range(6)], 'pathRadius': 40}],
        'eventConfidence': 150}]})


def main():
    modules = sorted(glob.glob(os.path.join(asn1_dir(), 'csae53-2020', '*.asn')))
    codec = asn1tools.compile_files(modules, 'uper')
    frames = [(name, value) for name, value in (
        ('bsm-path-1', bsm(1)), ('bsm-path-4', bsm(4)), ('bsm-path-15', bsm(15)),
        ('spat-8x3', spat()), ('map-4x3', map_()),
        ('rsm-1', rsm(1)), ('rsm-10', rsm(10)), ('rsi-alert-path', rsi()))]
    path = os.path.join(HERE, 'cv2x-frames.hex')
    kept = [line for line in open(path) if line.startswith(('rsm-5-participants-139B ', 'map-4-nodes-274B '))]
    out = [
        '# Extra C-V2X benchmark frames (csae53-2020 MessageFrames, made with asn1tools from the reference\n',
        '# modules by Tools/bench/make-cv2x-frames.py; the same frames are in Benchmarks/Benchmarks/CV2XBenchmarks).\n',
        '# The three example frames of ../shared/reference/README.md are built into asn1c_bench.c and\n',
        '# CV2XBenchmarks. The frames after the first two look like roadside-unit traffic.\n',
    ] + kept
    for name, value in frames:
        data = codec.encode('MessageFrame', value)
        if codec.decode('MessageFrame', data) != value:
            sys.exit('make-cv2x-frames: %s does not decode to its value' % name)
        out.append('%s-%dB %s\n' % (name, len(data), data.hex()))
    open(path, 'w').writelines(out)
    for line in out[len(kept) + 4:]:
        print(line.split()[0])


if __name__ == '__main__':
    main()

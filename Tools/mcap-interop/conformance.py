#!/usr/bin/env python3
"""MCAP conformance matrix for TestZone's reader, written with the reference Python `mcap` writer.

  conformance.py OUTDIR

Writes one small recording per combination of the writer options this version of `mcap`
exposes (checked with inspect.signature, so a newer or older writer still works) into OUTDIR,
plus OUTDIR/manifest.json: the writer version, the options varied, the messages every file holds
(in the order written), the channels, and per file its options, attachments and metadata.

Combinations (every file holds the same 150 messages on 3 channels; the third channel, which has
a schema, is registered after the first messages, so it is defined inside a later chunk):

- layout: unchunked; chunked with compression none, zstd, lz4 and small chunks (many chunks);
  chunked zstd with one large chunk;
- summary shape, every combination: index types (message, chunk, attachment, metadata: the 16
  subsets; for unchunked files only attachment/metadata matter), statistics on/off, schemas and
  channels repeated in the summary (both, neither, only one), summary offsets on/off;
- CRCs (chunk and summary CRCs on/off, data section CRC on/off) and attachments plus metadata
  present or not cycle through the files, so every CRC mode and both extras appear in every layout.

Extra files: an empty recording with and without a summary, and a chunk whose compression is
declared as "lzma" (which TestZone does not read: it must say so by name).

Invoked by Tests/RecordingTests/ConformanceTests.swift; needs the venv of `make setup`.
"""
import inspect
import itertools
import json
import os
import sys
from importlib.metadata import version

from mcap.writer import CompressionType, IndexType, Writer

BASE_TIME = 1_764_400_000_000_000_000
MESSAGE_COUNT = 150
LATE_CHANNEL_AFTER = 40
TOPICS = [
    ("cv2x/RSU-0001", "cv2x-uper"),
    ("jt808/013800000001", "jt808"),
    ("vehicle/pose", "json"),
]
POSE_SCHEMA = b'{"type":"object","properties":{"x":{"type":"number"}}}'


def messages():
    """Deterministic messages: payloads of 0..200 bytes, log times stepping back now and then
    (out of order within and across chunks, a few equal times), publish times before log times."""
    result = []
    for i in range(MESSAGE_COUNT):
        channel = 3 if i >= LATE_CHANNEL_AFTER and i % 3 == 2 else 1 + i % 2
        log_time = BASE_TIME + i * 1_000_000
        if i % 11 == 5:
            log_time -= 4_500_000  # earlier than the messages before it
        if i % 29 == 7:
            log_time = BASE_TIME + (i - 1) * 1_000_000  # equal to the previous one's
        if channel == 3:
            data = json.dumps({"x": i}).encode()
        else:
            data = bytes((i * 37 + k * 11) % 256 for k in range((i * 13) % 201))
        result.append(
            {
                "channel_id": channel,
                "sequence": i * 7 % 65_536,
                "log_time": log_time,
                "publish_time": log_time - 2_000 - i,
                "data": data,
            }
        )
    return result


def supported_options():
    return set(inspect.signature(Writer.__init__).parameters) - {"self", "output"}


def write(path, options, extras, items):
    with open(path, "wb") as f:
        writer = Writer(f, **options)
        writer.start(profile="", library="conformance")
        schema = writer.register_schema(name="example.Pose", encoding="jsonschema", data=POSE_SCHEMA)
        ids = {}
        for index, (topic, encoding) in enumerate(TOPICS[:2], start=1):
            ids[index] = writer.register_channel(topic=topic, message_encoding=encoding, schema_id=0)
        if extras:
            writer.add_metadata("testzone", {"zone": "conformance", "version": "python"})
        for i, m in enumerate(items):
            if i == LATE_CHANNEL_AFTER:
                topic, encoding = TOPICS[2]
                ids[3] = writer.register_channel(
                    topic=topic, message_encoding=encoding, schema_id=schema, metadata={"frame": "map"})
            if extras and i == MESSAGE_COUNT // 2:
                writer.add_attachment(
                    create_time=1, log_time=m["log_time"], name="zone.toml", media_type="application/toml",
                    data=b"name = \"conformance\"\n")
            writer.add_message(
                channel_id=ids[m["channel_id"]], log_time=m["log_time"], data=m["data"],
                publish_time=m["publish_time"], sequence=m["sequence"])
        if extras:
            writer.add_metadata("drive", {"operator": "OP-1"})
        writer.finish()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    supported = supported_options()
    items = messages()

    layouts = [
        {"use_chunking": False},
        {"use_chunking": True, "compression": CompressionType.NONE, "chunk_size": 700},
        {"use_chunking": True, "compression": CompressionType.ZSTD, "chunk_size": 700},
        {"use_chunking": True, "compression": CompressionType.LZ4, "chunk_size": 700},
        {"use_chunking": True, "compression": CompressionType.ZSTD, "chunk_size": 1 << 20},
    ]
    index_flags = [IndexType.MESSAGE, IndexType.CHUNK, IndexType.ATTACHMENT, IndexType.METADATA]
    crc_modes = [
        {"enable_crcs": True, "enable_data_crcs": True},
        {"enable_crcs": False, "enable_data_crcs": False},
        {"enable_crcs": True, "enable_data_crcs": False},
        {"enable_crcs": False, "enable_data_crcs": True},
    ]
    repeats = [(True, True), (False, False), (True, False), (False, True)]

    files = []
    seen = set()
    counter = 0
    for layout_number, layout in enumerate(layouts):
        for chosen in itertools.product([False, True], repeat=len(index_flags)):
            flags = [f for f, on in zip(index_flags, chosen) if on]
            if not layout["use_chunking"]:
                flags = [f for f in flags if f in (IndexType.ATTACHMENT, IndexType.METADATA)]
            index_types = IndexType.NONE
            for f in flags:
                index_types |= f
            for statistics, (repeat_channels, repeat_schemas), offsets in itertools.product(
                [True, False], repeats, [True, False]
            ):
                key = (layout_number, index_types.value, statistics, repeat_channels, repeat_schemas, offsets)
                if key in seen:
                    continue
                seen.add(key)
                crc = crc_modes[counter % len(crc_modes)]
                extras = (counter // len(crc_modes)) % 2 == 0
                counter += 1
                options = dict(layout)
                options.update(crc)
                options.update(
                    index_types=index_types, use_statistics=statistics, repeat_channels=repeat_channels,
                    repeat_schemas=repeat_schemas, use_summary_offsets=offsets)
                options = {k: v for k, v in options.items() if k in supported}
                name = "m%04d.mcap" % len(files)
                write(os.path.join(out, name), options, extras, items)
                files.append({"name": name, "options": describe(options), "extras": extras, "messages": True})

    # An empty recording, with and without a summary.
    for offsets in (True, False):
        options = {k: v for k, v in {"use_summary_offsets": offsets, "use_statistics": offsets,
                                     "repeat_channels": offsets, "repeat_schemas": offsets,
                                     "index_types": IndexType.ALL if offsets else IndexType.NONE}.items()
                   if k in supported}
        name = "empty-%s.mcap" % ("summary" if offsets else "nosummary")
        write(os.path.join(out, name), options, False, [])
        files.append({"name": name, "options": describe(options), "extras": False, "messages": False})

    # A chunk compression TestZone does not read: written as zstd, then renamed "lzma" in the
    # chunk records and chunk indexes (same length; CRCs off so nothing else changes).
    name = "unsupported-compression.mcap"
    path = os.path.join(out, name)
    write(path, {k: v for k, v in {"compression": CompressionType.ZSTD, "chunk_size": 700,
                                   "enable_crcs": False, "enable_data_crcs": False}.items()
                 if k in supported}, False, items)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data.replace(b"\x04\x00\x00\x00zstd", b"\x04\x00\x00\x00lzma"))

    json.dump(
        {
            "writer": "mcap " + version("mcap"),
            "options_varied": sorted(supported),
            "topics": {str(i + 1): {"topic": t, "encoding": e} for i, (t, e) in enumerate(TOPICS)},
            "messages": [dict(m, data=m["data"].hex()) for m in items],
            "files": files,
            "unsupported": name,
        },
        open(os.path.join(out, "manifest.json"), "w"),
    )
    print(len(files), "files")


def describe(options):
    def value(v):
        if isinstance(v, CompressionType):
            return v.name.lower()
        if isinstance(v, IndexType):
            return [f.name.lower() for f in IndexType if f != IndexType.NONE and f in v and f != IndexType.ALL]
        return v

    return {k: value(v) for k, v in options.items()}


if __name__ == "__main__":
    main()

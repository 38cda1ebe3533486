#!/usr/bin/env python3
"""Interoperability helper for TestZone's MCAP tests, using the reference Python `mcap` package.

  mcap_interop.py read FILE
      Reads FILE with mcap (CRCs validated, streaming and indexed readers) and prints one JSON
      document: messages (file order), channels, schemas, statistics, metadata, attachments.
  mcap_interop.py write FILE --compression zstd|lz4|none [--no-summary] [--no-chunking] [--count N]
                  [--chunk-size B]
      Writes a deterministic recording with mcap's Writer and prints the messages written (JSON).

Invoked by Tests/RecordingTests; needs the venv of `make setup` (Tools/requirements.txt).
"""
import argparse
import json
import sys

from mcap.reader import make_reader
from mcap.stream_reader import StreamReader
from mcap.records import Channel, Message, Schema, Metadata, Attachment, DataEnd, Footer
from mcap.writer import CompressionType, IndexType, Writer


def read(path):
    # Streaming pass with every CRC validated (chunk CRCs and the data section CRC).
    messages = []
    channels = {}
    schemas = {}
    metadata = []
    attachments = []
    with open(path, "rb") as f:
        for record in StreamReader(f, validate_crcs=True).records:
            if isinstance(record, Channel):
                channels[record.id] = {
                    "id": record.id,
                    "topic": record.topic,
                    "message_encoding": record.message_encoding,
                    "schema_id": record.schema_id,
                    "metadata": record.metadata,
                }
            elif isinstance(record, Schema):
                schemas[record.id] = {"id": record.id, "name": record.name, "encoding": record.encoding}
            elif isinstance(record, Message):
                messages.append(
                    {
                        "channel_id": record.channel_id,
                        "sequence": record.sequence,
                        "log_time": record.log_time,
                        "publish_time": record.publish_time,
                        "data": record.data.hex(),
                    }
                )
            elif isinstance(record, Metadata):
                metadata.append({"name": record.name, "metadata": record.metadata})
            elif isinstance(record, Attachment):
                attachments.append(
                    {"name": record.name, "media_type": record.media_type, "data": record.data.hex()}
                )
    # Indexed pass through the summary (log-time order), as Foxglove and the mcap CLI read.
    with open(path, "rb") as f:
        reader = make_reader(f, validate_crcs=True)
        summary = reader.get_summary()
        indexed = [
            {
                "channel_id": m.channel_id,
                "log_time": m.log_time,
                "data": m.data.hex(),
            }
            for _, _, m in reader.iter_messages(log_time_order=True)
        ]
        stats = None
        if summary is not None and summary.statistics is not None:
            s = summary.statistics
            stats = {
                "message_count": s.message_count,
                "channel_count": s.channel_count,
                "chunk_count": s.chunk_count,
                "metadata_count": s.metadata_count,
                "attachment_count": s.attachment_count,
                "message_start_time": s.message_start_time,
                "message_end_time": s.message_end_time,
                "channel_message_counts": {str(k): v for k, v in s.channel_message_counts.items()},
            }
        chunk_compressions = sorted({c.compression for c in summary.chunk_indexes}) if summary else []
        summary_metadata = [{"name": m.name, "metadata": m.metadata} for m in reader.iter_metadata()]
        summary_attachments = [a.name for a in reader.iter_attachments()]
    json.dump(
        {
            "messages": messages,
            "indexed": indexed,
            "channels": list(channels.values()),
            "schemas": list(schemas.values()),
            "statistics": stats,
            "chunk_compressions": chunk_compressions,
            "metadata": metadata,
            "attachments": attachments,
            "summary_metadata": summary_metadata,
            "summary_attachments": summary_attachments,
        },
        sys.stdout,
    )


def write(path, compression, summary, count, chunk_size, chunking=True):
    kind = {"zstd": CompressionType.ZSTD, "lz4": CompressionType.LZ4, "none": CompressionType.NONE}[compression]
    options = {}
    if not summary:
        options = dict(
            index_types=IndexType.NONE,
            repeat_channels=False,
            repeat_schemas=False,
            use_statistics=False,
            use_summary_offsets=False,
        )
    written = []
    with open(path, "wb") as f:
        writer = Writer(f, chunk_size=chunk_size, compression=kind, enable_data_crcs=True,
                        use_chunking=chunking, **options)
        writer.start(profile="", library="mcap-interop")
        schema = writer.register_schema(name="cv2x.MessageFrame", encoding="", data=b"")
        topics = ["cv2x/RSU-0001", "jt808/013800000001", "cv2x/OBU-77"]
        encodings = ["cv2x-uper", "jt808", "cv2x-uper"]
        ids = [
            writer.register_channel(topic=t, message_encoding=e, schema_id=schema if i == 0 else 0,
                                    metadata={"source": t.split("/")[1]})
            for i, (t, e) in enumerate(zip(topics, encodings))
        ]
        writer.add_metadata("testzone", {"zone": "interop", "version": "python"})
        for i in range(count):
            channel = ids[i % len(ids)]
            # Log times mostly increasing with a few out-of-order steps.
            log_time = 1_700_000_000_000_000_000 + i * 1_000_000 - (500_000 if i % 7 == 3 else 0)
            data = bytes((i * 31 + k) % 256 for k in range(i % 97))
            writer.add_message(channel_id=channel, log_time=log_time, data=data,
                               publish_time=log_time - 1000, sequence=i)
            written.append({"channel_id": channel, "sequence": i, "log_time": log_time,
                            "publish_time": log_time - 1000, "data": data.hex()})
        writer.add_attachment(create_time=1, log_time=2, name="notes.txt", media_type="text/plain",
                              data=b"drive notes")
        writer.finish()
    json.dump({"messages": written, "topics": topics}, sys.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("read")
    r.add_argument("file")
    w = sub.add_parser("write")
    w.add_argument("file")
    w.add_argument("--compression", choices=["zstd", "lz4", "none"], default="zstd")
    w.add_argument("--no-summary", action="store_true")
    w.add_argument("--count", type=int, default=500)
    w.add_argument("--chunk-size", type=int, default=4096)
    w.add_argument("--no-chunking", action="store_true")
    args = parser.parse_args()
    if args.command == "read":
        read(args.file)
    else:
        write(args.file, args.compression, not args.no_summary, args.count, args.chunk_size,
              not args.no_chunking)


if __name__ == "__main__":
    main()

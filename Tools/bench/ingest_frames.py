"""Dumps an MCAP journal/recording as a flat frame file for Tools/bench/ingest_feed.c:
per message  u16 topic length, topic, u32 payload length, payload, u64 publish time (µs), all
little-endian. usage: ingest_frames.py RECORDING.mcap OUT.frames"""
import struct
import sys

from mcap.reader import make_reader

with open(sys.argv[1], "rb") as source, open(sys.argv[2], "wb") as out:
    count = 0
    for _schema, channel, message in make_reader(source).iter_messages(log_time_order=True):
        topic = channel.topic.encode()
        out.write(struct.pack("<H", len(topic)) + topic)
        out.write(struct.pack("<I", len(message.data)) + message.data)
        out.write(struct.pack("<Q", message.publish_time // 1000))
        count += 1
print(f"{count} frames -> {sys.argv[2]}", file=sys.stderr)

#!/usr/bin/env python3
"""SSE clients for Tools/bench/console.sh (standard library only).

console_sse.py PORT SECONDS CLIENTS OUT.json
Opens CLIENTS connections to /api/v1/events/stream on 127.0.0.1:PORT and reads them for SECONDS.
Client 0 measures, for every vehicle event (not alarms), the latency from the frame's arrival at
the ingest's PULL socket (the event's `receivedMicros`, the journal receive time) to the moment
the event was read here (same machine clock). Writes counts and p50/p99/max to OUT.json.
"""
import json
import socket
import sys
import threading
import time


def client(port, seconds, latencies, counts, index):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /api/v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    sock.settimeout(0.5)
    end = time.time() + seconds
    pending = b""
    events = 0
    while time.time() < end:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            break
        now = time.time() * 1e6
        pending += data
        while b"\n\n" in pending:
            record, pending = pending.split(b"\n\n", 1)
            for line in record.split(b"\n"):
                # Chunk-size lines of the chunked encoding are not "data: " lines.
                if line.startswith(b"data: "):
                    events += 1
                    if index == 0:
                        event = json.loads(line[6:])
                        if not event.get("alarm") and event.get("receivedMicros"):
                            latencies.append((now - event["receivedMicros"]) / 1000.0)
    counts[index] = events
    sock.close()


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    rank = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[rank]


def main():
    port, seconds, clients, out = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    latencies, counts = [], [0] * clients
    threads = [threading.Thread(target=client, args=(port, seconds, latencies, counts, i)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = {
        "clients": clients,
        "eventsPerClient": counts,
        "latencySamples": len(latencies),
        "p50ms": percentile(latencies, 50),
        "p99ms": percentile(latencies, 99),
        "maxms": max(latencies) if latencies else None,
    }
    with open(out, "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Validates a `testzone export --foxglove` recording with the reference Python `mcap` reader.

  validate_export.py FILE

Reads FILE (every CRC checked), and validates every message of every channel whose schema
encoding is `jsonschema` against that JSON Schema (Python `jsonschema`, the draft the schema
declares or the latest); `foxglove.GeoJSON` messages must also hold a parseable GeoJSON
FeatureCollection. Prints one JSON document: per topic the schema, encoding, message count and
invalid count; the first errors; totals. Exit status 0 when every message is valid, 1 otherwise.

Invoked by Tests/RecordingTests/ExportClipTests.swift; needs the venv of `make setup`.
"""
import json
import sys

import jsonschema
from mcap.reader import make_reader


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    channels = {}
    validators = {}
    errors = []
    with open(sys.argv[1], "rb") as f:
        reader = make_reader(f, validate_crcs=True)
        for schema, channel, message in reader.iter_messages(log_time_order=False):
            entry = channels.setdefault(
                channel.topic,
                {
                    "schema": schema.name if schema else "",
                    "schema_encoding": schema.encoding if schema else "",
                    "encoding": channel.message_encoding,
                    "messages": 0,
                    "invalid": 0,
                },
            )
            entry["messages"] += 1
            if schema is None or schema.encoding != "jsonschema":
                continue
            validator = validators.get(schema.id)
            if validator is None:
                document = json.loads(schema.data)
                cls = jsonschema.validators.validator_for(document)
                cls.check_schema(document)
                validator = cls(document)
                validators[schema.id] = validator
            problem = None
            try:
                value = json.loads(message.data)
                failures = list(validator.iter_errors(value))
                if failures:
                    problem = failures[0].message
                elif schema.name == "foxglove.GeoJSON":
                    geojson = json.loads(value["geojson"])
                    if geojson.get("type") != "FeatureCollection" or not isinstance(geojson.get("features"), list):
                        problem = "geojson is not a FeatureCollection"
            except ValueError as error:
                problem = "not JSON: %s" % error
            if problem:
                entry["invalid"] += 1
                if len(errors) < 10:
                    errors.append({"topic": channel.topic, "log_time": message.log_time, "error": problem})
    invalid = sum(c["invalid"] for c in channels.values())
    json.dump(
        {
            "channels": channels,
            "errors": errors,
            "messages": sum(c["messages"] for c in channels.values()),
            "validated": sum(c["messages"] for c in channels.values() if c["schema_encoding"] == "jsonschema"),
            "invalid": invalid,
        },
        sys.stdout,
    )
    sys.exit(1 if invalid else 0)


if __name__ == "__main__":
    main()

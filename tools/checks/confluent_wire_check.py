#!/usr/bin/python3
"""Independent check that the records on a Kafka topic are Confluent-framed Avro.

Uses only clients that share no code with @divit/messaging: librdkafka through python3-confluent-kafka,
the Apache Avro Python implementation (python3-avro) and urllib for the registry. Both are Debian
packages; run it with Debian's interpreter:

    sudo apt-get install python3-confluent-kafka python3-avro
    /usr/bin/python3 tools/checks/confluent_wire_check.py \
        --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081/apis/ccompat/v7 \
        --topic divit.registration.organisations.v1 --expect 3 --timeout 60

It consumes the topic from the beginning (a fresh, unique consumer group that commits nothing) and for
every record checks: magic byte 0, a 4-byte big-endian schema id, that `GET <registry>/schemas/ids/<id>`
returns an Avro schema, and that the body decodes with it, consuming every byte. It prints one JSON
object per record on stdout:

    {"partition", "offset", "key", "schemaId", "schemaName", "headers": {name: utf-8 value}, "value"}

`value` is the decoded record; bytes/fixed become base64 strings, logical types (timestamps, dates,
decimals, uuids) their ISO-8601 / string forms. Problems go to stderr.

Stops after `--expect N` records, or, without `--expect`, at the end of every partition.
Exit status: 0 all records good; 1 a record failed a check, or fewer than N records arrived within
`--timeout` seconds; 2 bad usage or missing Python modules.
"""

import argparse
import base64
import datetime
import decimal
import io
import json
import struct
import sys
import time
import urllib.error
import urllib.request
import uuid

INSTALL_HINT = (
    "needs Debian's python3-confluent-kafka and python3-avro: "
    "`sudo apt-get install python3-confluent-kafka python3-avro` and run with /usr/bin/python3"
)

try:
    import avro.io
    import avro.schema
    from confluent_kafka import Consumer, KafkaError, KafkaException, OFFSET_BEGINNING
except ImportError as missing:  # pragma: no cover - depends on the machine
    sys.stderr.write(f"confluent_wire_check: {missing}; {INSTALL_HINT}\n")
    sys.exit(2)

MAGIC_BYTE = 0
HEADER_LENGTH = 5


class RecordError(Exception):
    """A record that fails one of the checks."""


class Registry:
    """Confluent-API schema registry client (GET /schemas/ids/<id> only), caching parsed schemas."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.schemas = {}

    def schema(self, schema_id):
        if schema_id not in self.schemas:
            self.schemas[schema_id] = self._fetch(schema_id)
        return self.schemas[schema_id]

    def _fetch(self, schema_id):
        url = f"{self.base_url}/schemas/ids/{schema_id}"
        request = urllib.request.Request(url, headers={"Accept": "application/vnd.schemaregistry.v1+json, application/json"})
        # A dropped connection is retried (three attempts, as any client of a busy registry would);
        # an HTTP error answer is not: it is the registry's verdict.
        for attempt in range(3):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = json.loads(response.read().decode("utf-8"))
                break
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace")[:300]
                raise RecordError(f"schema id {schema_id} does not resolve: GET {url} -> HTTP {error.code} {detail}")
            except (urllib.error.URLError, OSError) as error:
                if attempt == 2:
                    raise RecordError(f"schema id {schema_id}: GET {url} failed: {error}")
                time.sleep(0.5 * (attempt + 1))
            except ValueError as error:
                raise RecordError(f"schema id {schema_id}: GET {url} failed: {error}")
        schema_type = body.get("schemaType", "AVRO")
        if schema_type != "AVRO":
            raise RecordError(f"schema id {schema_id} is a {schema_type} schema, not Avro")
        if body.get("references"):
            raise RecordError(f"schema id {schema_id} has schema references, which this check does not resolve")
        try:
            return avro.schema.parse(body["schema"])
        except (KeyError, avro.schema.SchemaParseException, ValueError) as error:
            raise RecordError(f"schema id {schema_id}: the registry's schema does not parse: {error}")


def to_json(value):
    """json.dumps default for what avro's DatumReader returns besides JSON types."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"cannot represent {type(value).__name__} as JSON")


def check_record(message, registry):
    raw = message.value()
    where = f"{message.topic()}[{message.partition()}]@{message.offset()}"
    if raw is None or len(raw) < HEADER_LENGTH or raw[0] != MAGIC_BYTE:
        shape = "null value" if raw is None else f"{len(raw)} bytes, first byte {raw[0] if raw else 'none'}"
        raise RecordError(f"{where}: not Confluent-framed ({shape})")
    (schema_id,) = struct.unpack(">I", raw[1:HEADER_LENGTH])
    try:
        schema = registry.schema(schema_id)
    except RecordError as error:
        raise RecordError(f"{where}: {error}")
    body = io.BytesIO(raw[HEADER_LENGTH:])
    try:
        value = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(body))
    except Exception as error:  # the avro package raises assorted types on corrupt input
        raise RecordError(f"{where}: body does not decode with schema id {schema_id}: {type(error).__name__}: {error}")
    left = len(raw) - HEADER_LENGTH - body.tell()
    if left != 0:
        raise RecordError(f"{where}: {left} bytes left over after decoding with schema id {schema_id}")
    key = message.key()
    headers = {}
    for name, header_value in message.headers() or []:
        headers[name] = None if header_value is None else header_value.decode("utf-8", "replace")
    return {
        "partition": message.partition(),
        "offset": message.offset(),
        "key": None if key is None else key.decode("utf-8", "replace"),
        "schemaId": schema_id,
        "schemaName": getattr(schema, "fullname", None) or schema.type,
        "headers": headers,
        "value": value,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", required=True, help="bootstrap servers, e.g. 127.0.0.1:9092")
    parser.add_argument("--registry", required=True, help="Confluent-API base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--expect", type=int, help="stop after this many records (fail if fewer arrive in time)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args()
    if args.expect is not None and args.expect < 0:
        parser.error("--expect must be >= 0")

    registry = Registry(args.registry, timeout=min(args.timeout, 30.0))
    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": f"confluent-wire-check-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "allow.auto.create.topics": False,
        }
    )
    assigned = set()
    at_end = set()

    def on_assign(client, partitions):
        for p in partitions:
            p.offset = OFFSET_BEGINNING
            assigned.add(p.partition)
        client.assign(partitions)

    consumer.subscribe([args.topic], on_assign=on_assign)
    deadline = time.monotonic() + args.timeout
    seen = 0
    failures = 0
    try:
        while args.expect is None or seen < args.expect:
            if args.expect is None and assigned and at_end >= assigned:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            message = consumer.poll(min(remaining, 1.0))
            if message is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                    continue
                if error.fatal() or error.code() in (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC):
                    raise KafkaException(error)
                sys.stderr.write(f"confluent_wire_check: consumer: {error}\n")
                continue
            at_end.discard(message.partition())
            seen += 1
            try:
                line = json.dumps(check_record(message, registry), default=to_json, ensure_ascii=False)
            except RecordError as problem:
                failures += 1
                sys.stderr.write(f"confluent_wire_check: {problem}\n")
                continue
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    except KafkaException as error:
        sys.stderr.write(f"confluent_wire_check: {args.topic}: {error}\n")
        return 1
    finally:
        consumer.close()

    if args.expect is not None and seen < args.expect:
        sys.stderr.write(
            f"confluent_wire_check: only {seen} of {args.expect} expected records arrived within {args.timeout:g} s\n"
        )
        return 1
    if args.expect is None and not (assigned and at_end >= assigned):
        sys.stderr.write(f"confluent_wire_check: did not reach the end of {args.topic} within {args.timeout:g} s\n")
        return 1
    if failures:
        sys.stderr.write(f"confluent_wire_check: {failures} of {seen} records failed the check\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A Starling status client written from docs/protocol.md alone, with no Swift code.

It shows that the wire specification can be implemented outside Swift: it makes a fresh
Ed25519 identity (PyNaCl), derives its CURVE key pair the way libsodium does, dials a running
`starling node` as a ZeroMQ CURVE DEALER (pyzmq), says a signed hello for the project, sends a
`statusRequest` RuntimeFrame in a chunk, reassembles the reply and prints its JSON.

    status_client.py CONTACT PROJECT_ID [--timeout SECONDS] [--check-wrong-project]

CONTACT is `Z85KEY@host:port` (a node's DIR/contact); PROJECT_ID is 64 hexadecimal digits (the
`project <hex>` line `starling node` prints). On success the last line of standard output is the
node's status as one JSON object and the exit status is 0; on any failure one line starting with
`error:` goes to standard error and the exit status is 1.

With --check-wrong-project it first opens a second connection whose hello names another project
and checks that the node refuses it: a refusal frame with code 4 (`wrongProject`), and no status
reply to a status request sent anyway.
"""

import argparse
import hashlib
import json
import os
import struct
import sys
import time

import nacl.bindings
import nacl.signing
import zmq
import zmq.utils.z85

# Transport frames (docs/protocol.md, "Frames above ZeroMQ").
FRAME_KIND_HELLO = 1
FRAME_KIND_CHUNK = 2
FRAME_KIND_REFUSAL = 3
HELLO_VERSION = 1
HELLO_BYTES = 171
HELLO_SIGNATURE_DOMAIN = b"starling/transport/hello"
CHUNK_HEADER_BYTES = 17
CHUNK_PAYLOAD_BYTES_MAX = 1 << 20
# One full chunk plus CURVE's 33 bytes of framing (the socket options table).
ZMQ_MESSAGE_BYTES_MAX = CHUNK_HEADER_BYTES + CHUNK_PAYLOAD_BYTES_MAX + 33
REFUSAL_WRONG_PROJECT = 4

# RuntimeFrame (docs/protocol.md, "Node messages").
TAG_STATUS_REQUEST = 3
TAG_STATUS_REPLY = 4
STATUS_JSON_BYTES_MAX = 1 << 20
# The reply is one RuntimeFrame: tag, request, length prefix and the JSON.
REPLY_BYTES_MAX = 1 + 8 + 4 + STATUS_JSON_BYTES_MAX
FRAMES_BEFORE_REPLY_MAX = 64


class ProtocolError(Exception):
    """The node said something the specification does not allow, or nothing in time."""


class Identity:
    """A fresh Ed25519 key pair, its X25519 (CURVE) form and its peer ID."""

    def __init__(self):
        self.signing_key = nacl.signing.SigningKey.generate()
        self.public_key = bytes(self.signing_key.verify_key)
        # libsodium's secret key is the 32-byte seed followed by the public key.
        secret_key = bytes(self.signing_key) + self.public_key
        self.curve_public_key = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(
            self.public_key
        )
        self.curve_secret_key = nacl.bindings.crypto_sign_ed25519_sk_to_curve25519(secret_key)
        self.peer_id = hashlib.blake2b(self.public_key, digest_size=32).digest()

    def hello(self, project_id, timestamp_milliseconds):
        """The 171-byte hello: signed fields, then the signature of domain + those fields."""
        fields = (
            struct.pack("<BH", FRAME_KIND_HELLO, HELLO_VERSION)
            + project_id
            + self.public_key
            + self.curve_public_key
            + struct.pack("<Q", timestamp_milliseconds)
        )
        signature = self.signing_key.sign(HELLO_SIGNATURE_DOMAIN + fields).signature
        frame = fields + signature
        assert len(frame) == HELLO_BYTES
        return frame


def parse_contact(text):
    """`KEY@host:port`; the last `@` ends the key, since Z85 contains `@`."""
    key_text, separator, address = text.strip().rpartition("@")
    if not separator or len(key_text) != 40:
        raise ProtocolError(f"contact '{text}' is not KEY@host:port with a 40-character key")
    host, separator, port = address.rpartition(":")
    if not separator or not port.isdigit():
        raise ProtocolError(f"contact '{text}' has no :port")
    key = zmq.utils.z85.decode(key_text.encode("ascii"))
    if len(key) != 32:
        raise ProtocolError(f"contact key '{key_text}' does not decode to 32 bytes")
    return key, f"tcp://{host}:{int(port)}", host.startswith("[")


def chunks(message_number, message):
    """The chunk frames of one message: a 17-byte header, then at most 1 MiB each."""
    count = max(1, -(-len(message) // CHUNK_PAYLOAD_BYTES_MAX))
    for index in range(count):
        start = index * CHUNK_PAYLOAD_BYTES_MAX
        header = struct.pack("<BQII", FRAME_KIND_CHUNK, message_number, len(message), index)
        yield header + message[start : start + CHUNK_PAYLOAD_BYTES_MAX]


class Connection:
    """One DEALER to the node, with the hello exchange and chunk reassembly of the spec."""

    def __init__(self, context, identity, server_key, endpoint, is_ipv6, send_timeout_milliseconds):
        self.identity = identity
        self.server_key = server_key
        self.socket = context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.IMMEDIATE, 1)
        self.socket.setsockopt(zmq.MAXMSGSIZE, ZMQ_MESSAGE_BYTES_MAX)
        self.socket.setsockopt(zmq.IPV6, 1 if is_ipv6 else 0)
        # With ZMQ_IMMEDIATE a send waits for the handshake; never wait forever.
        self.socket.setsockopt(zmq.SNDTIMEO, send_timeout_milliseconds)
        self.socket.curve_serverkey = server_key
        self.socket.curve_publickey = identity.curve_public_key
        self.socket.curve_secretkey = identity.curve_secret_key
        self.socket.connect(endpoint)
        self.next_message_number = 0
        self.peer_id = None

    def close(self):
        self.socket.close(linger=0)

    def receive(self, deadline):
        """The next ZeroMQ message (one frame), or ProtocolError at the deadline."""
        remaining_milliseconds = int((deadline - time.monotonic()) * 1000)
        if remaining_milliseconds <= 0 or not self.socket.poll(remaining_milliseconds):
            raise ProtocolError("no answer from the node in time")
        frames = self.socket.recv_multipart()
        if len(frames) != 1:
            raise ProtocolError(f"a message of {len(frames)} frames; the spec allows one")
        return frames[0]

    def say_hello(self, project_id, deadline):
        """Sends our hello, then checks the node's: returns its peer ID.

        ZMQ_IMMEDIATE holds the hello until the CURVE handshake is done, so it goes first.
        """
        try:
            self.socket.send(self.identity.hello(project_id, int(time.time() * 1000)))
        except zmq.Again as error:
            raise ProtocolError("no CURVE handshake with the node in time") from error
        frame = self.receive(deadline)
        if frame[:1] == bytes([FRAME_KIND_REFUSAL]) and len(frame) == 2:
            raise ProtocolError(f"the node refused our hello with code {frame[1]}")
        self.peer_id = check_hello(frame, project_id, self.server_key)
        return self.peer_id

    def send_message(self, message):
        for frame in chunks(self.next_message_number, message):
            self.socket.send(frame)
        self.next_message_number += 1

    def receive_message(self, deadline, bytes_max):
        """Reassembles the next whole message from its chunks (at most `bytes_max` bytes)."""
        parts = []
        expected = None  # (message number, length, next index)
        while True:
            frame = self.receive(deadline)
            if frame[:1] != bytes([FRAME_KIND_CHUNK]) or len(frame) < CHUNK_HEADER_BYTES:
                kind = frame[:1].hex()
                raise ProtocolError(f"expected a chunk, got {len(frame)} bytes of kind {kind}")
            _, number, length, index = struct.unpack("<BQII", frame[:CHUNK_HEADER_BYTES])
            payload = frame[CHUNK_HEADER_BYTES:]
            if length > bytes_max:
                raise ProtocolError(f"a message of {length} bytes, above {bytes_max}")
            if index == 0:
                parts, expected = [], (number, length, 0)
            if expected is None or (number, length, index) != expected:
                raise ProtocolError(f"chunk {index} of message {number} out of order")
            start = index * CHUNK_PAYLOAD_BYTES_MAX
            if len(payload) != min(length, start + CHUNK_PAYLOAD_BYTES_MAX) - start:
                raise ProtocolError(f"chunk {index} carries {len(payload)} bytes")
            parts.append(payload)
            if start + len(payload) == length:
                return b"".join(parts)
            expected = (number, length, index + 1)


def check_hello(frame, project_id, connection_key):
    """The node's hello, checked in the order of the spec's table; its peer ID."""
    if len(frame) < 3 or frame[0] != FRAME_KIND_HELLO:
        raise ProtocolError(f"expected the node's hello, got {len(frame)} bytes")
    (version,) = struct.unpack("<H", frame[1:3])
    if version != HELLO_VERSION:
        raise ProtocolError(f"hello version {version}")
    if len(frame) != HELLO_BYTES:
        raise ProtocolError(f"a hello of {len(frame)} bytes")
    if frame[3:35] != project_id:
        raise ProtocolError("the node's hello names another project")
    signing_key, curve_key = frame[35:67], frame[67:99]
    if curve_key != connection_key:
        raise ProtocolError("the node's hello names another CURVE key than its contact")
    if nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(signing_key) != curve_key:
        raise ProtocolError("the node's CURVE key is not derived from its Ed25519 key")
    (timestamp,) = struct.unpack("<Q", frame[99:107])
    if abs(timestamp - int(time.time() * 1000)) > 120_000:
        raise ProtocolError("the node's hello timestamp is more than 120 s off")
    try:
        nacl.signing.VerifyKey(signing_key).verify(
            HELLO_SIGNATURE_DOMAIN + frame[:107], frame[107:]
        )
    except nacl.exceptions.BadSignatureError as error:
        raise ProtocolError("the node's hello signature does not verify") from error
    return hashlib.blake2b(signing_key, digest_size=32).digest()


def status_request(request):
    return struct.pack("<BQ", TAG_STATUS_REQUEST, request)


def decode_status_reply(message):
    """(request, json text) of a statusReply, or None for any other RuntimeFrame."""
    if message[:1] != bytes([TAG_STATUS_REPLY]):
        return None
    if len(message) < 13:
        raise ProtocolError(f"a status reply of {len(message)} bytes is truncated")
    request, length = struct.unpack("<QI", message[1:13])
    if length > STATUS_JSON_BYTES_MAX:
        raise ProtocolError(f"status JSON of {length} bytes, above {STATUS_JSON_BYTES_MAX}")
    if len(message) != 13 + length:
        raise ProtocolError(f"status reply: {len(message) - 13} bytes for a length of {length}")
    return request, message[13:].decode("utf-8")


def query_status(context, contact, project_id, timeout_seconds):
    """The node's status as a dict, over a fresh identity."""
    server_key, endpoint, is_ipv6 = parse_contact(contact)
    deadline = time.monotonic() + timeout_seconds
    connection = Connection(
        context, Identity(), server_key, endpoint, is_ipv6, int(timeout_seconds * 1000)
    )
    try:
        connection.say_hello(project_id, deadline)
        request = struct.unpack("<Q", os.urandom(8))[0] or 1
        connection.send_message(status_request(request))
        # Other frames (a directory, say) may come first; skip a bounded number of them.
        for _ in range(FRAMES_BEFORE_REPLY_MAX):
            reply = decode_status_reply(connection.receive_message(deadline, REPLY_BYTES_MAX))
            if reply is None:
                continue
            answered, text = reply
            if answered != request:
                raise ProtocolError(f"the reply answers request {answered}, not {request}")
            status = json.loads(text)
            if not isinstance(status, dict):
                raise ProtocolError("the status JSON is not an object")
            return status
        raise ProtocolError(f"no status reply among {FRAMES_BEFORE_REPLY_MAX} messages")
    finally:
        connection.close()


def check_wrong_project_refused(context, contact, project_id, bound_seconds):
    """A hello for another project gets refusal 4, and a status request then gets no reply."""
    server_key, endpoint, is_ipv6 = parse_contact(contact)
    wrong_project = bytes(byte ^ 0xFF for byte in project_id)
    connection = Connection(
        context, Identity(), server_key, endpoint, is_ipv6, int(bound_seconds * 1000)
    )
    deadline = time.monotonic() + bound_seconds
    try:
        try:
            connection.say_hello(wrong_project, deadline)
        except ProtocolError as error:
            if f"code {REFUSAL_WRONG_PROJECT}" not in str(error):
                raise ProtocolError(f"wrong project: expected refusal 4, got: {error}") from error
        else:
            raise ProtocolError("the node accepted a hello for another project")
        connection.send_message(status_request(1))
        try:
            while True:
                frame = connection.receive(deadline)
                if frame[:1] == bytes([FRAME_KIND_CHUNK]):
                    raise ProtocolError("the node sent a message on a refused connection")
        except ProtocolError as error:
            if "in time" not in str(error):
                raise
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("contact", help="KEY@host:port, a node's DIR/contact")
    parser.add_argument("project", help="the project ID, 64 hexadecimal digits")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument(
        "--check-wrong-project",
        action="store_true",
        help="also check that a hello for another project is refused",
    )
    arguments = parser.parse_args()
    try:
        project_id = bytes.fromhex(arguments.project)
        if len(project_id) != 32:
            raise ValueError
    except ValueError:
        print(
            f"error: the project ID must be 64 hexadecimal digits, got '{arguments.project}'",
            file=sys.stderr,
        )
        return 1
    context = zmq.Context()
    try:
        if arguments.check_wrong_project:
            check_wrong_project_refused(context, arguments.contact, project_id, 2.0)
            print("wrong project refused with code 4; no status reply")
        status = query_status(context, arguments.contact, project_id, arguments.timeout)
    except (ProtocolError, zmq.ZMQError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        context.destroy(linger=0)
    print(json.dumps(status, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

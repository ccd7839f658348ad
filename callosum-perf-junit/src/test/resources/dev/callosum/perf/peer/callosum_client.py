"""A real Python Callosum client, for PythonClientTests: calls a server and prints what it saw.

    python3 callosum_client.py ENDPOINT [--server-key Z85 --client-keys FILE]

It prints one JSON object: the outcome of each check (echo of 1 KiB x 100, 1 MiB, sized, fail).
"""

import argparse
import asyncio
import json
import os

import zmq.auth
from callosum.auth import AbstractClientAuthenticator, Identity
from callosum.exceptions import AuthenticationError
from callosum.lower.zeromq import ZeroMQAddress, ZeroMQRPCTransport
from callosum.rpc import Peer, RPCUserError


class Keys(AbstractClientAuthenticator):
    def __init__(self, server_key, client_file):
        self.server = server_key.encode()
        self.public, self.secret = zmq.auth.load_certificate(client_file)

    async def server_public_key(self):
        return self.server

    async def client_identity(self):
        return Identity(domain="callosum-perf", private_key=self.secret)

    async def client_public_key(self):
        return self.public


async def main(args):
    auth = Keys(args.server_key, args.client_keys) if args.server_key else None
    seen = {}
    try:
        async with Peer(
            connect=ZeroMQAddress(args.endpoint),
            transport=ZeroMQRPCTransport,
            authenticator=auth,
            serializer=lambda o: o,
            deserializer=lambda o: o,
            invoke_timeout=10,
        ) as peer:
            body = os.urandom(1024)
            seen["echo_1KiB_x100"] = sum([await peer.invoke("echo", body) == body for _ in range(100)])
            big = os.urandom(1 << 20)
            seen["echo_1MiB"] = await peer.invoke("echo", big) == big
            seen["sized_5000"] = len(await peer.invoke("sized", b"5000"))
            try:
                await peer.invoke("fail", b"x")
                seen["fail"] = "no error"
            except RPCUserError as e:
                seen["fail"] = "RPCUserError " + e.name
    except AuthenticationError:
        seen["handshake"] = "AuthenticationError"
    print(json.dumps(seen), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--server-key")
    parser.add_argument("--client-keys")
    asyncio.run(main(parser.parse_args()))

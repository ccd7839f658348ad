#!/usr/bin/env python3
"""A Python Callosum server for callosum-perf benchmarks, written against callosum's public API.

callosum-perf starts it for ``placement=python``; you can run it yourself too::

    CALLOSUM_PERF_HANDLER=delay CALLOSUM_PERF_DELAY_MS=5 python3 callosum_perf_server.py --port 5020

What it serves comes from the environment (the contract every server started by callosum-perf
receives; the README's "Server contract" table is the reference):

    CALLOSUM_PERF_HANDLER       echo | delay | random-delay | sized-reply | fail  (what `echo` does)
    CALLOSUM_PERF_DELAY_MS      delay, random-delay: the delay (the lower bound) in milliseconds
    CALLOSUM_PERF_DELAY_MAX_MS  random-delay: the upper bound in milliseconds
    CALLOSUM_PERF_REPLY_BYTES   sized-reply: the reply's size in bytes
    CALLOSUM_PERF_SCHEDULER     exit-ordered | key-serialized
    CALLOSUM_PERF_COMPRESS      true | false  (Peer(compress=...); callosum 1.0.3 never compresses
                                what it sends, and decodes compressed requests)
    CALLOSUM_PERF_CURVE_KEYS    a directory: server.key_secret, and clients/*.key to admit
    CALLOSUM_PERF_SPEC          the whole spec in one word; printed back once honoured

Besides `echo` it serves `sized` (reply of as many zero bytes as the body says), `delay` (echo after
as many milliseconds as the body says), `fail` (a FAILURE), `error` (an ERROR: a handler that
raises before its coroutine exists) and `cancel` (a CANCELLED), as this project's Java server does
for the first four.

Once it accepts connections it prints one line:

    CALLOSUM-PERF READY tcp://127.0.0.1:PORT spec=<CALLOSUM_PERF_SPEC> identity=callosum 1.0.3 python 3.11.2

It exits cleanly on SIGTERM, SIGINT, or when its standard input closes (--stop-on-eof).
"""

import argparse
import asyncio
import os
import random
import signal
import sys
import threading

READY = "CALLOSUM-PERF READY"
HANDLERS = ("echo", "delay", "random-delay", "sized-reply", "fail")
SCHEDULERS = ("exit-ordered", "key-serialized")


def fatal(message, status=2):
    print("callosum-perf python server: " + message, flush=True)
    sys.exit(status)


try:
    import importlib.metadata

    import callosum  # noqa: F401
    import zmq
    import zmq.auth
    from callosum.auth import AbstractServerAuthenticator, AuthResult, Identity
    from callosum.lower.zeromq import ZeroMQAddress, ZeroMQRPCTransport
    from callosum.ordering import ExitOrderedAsyncScheduler, KeySerializedAsyncScheduler
    from callosum.rpc import Peer
except ImportError as e:
    fatal(
        "cannot import callosum (%s) with %s, PYTHONPATH=%s; install it: pip install callosum pyzmq"
        % (e, sys.executable, os.environ.get("PYTHONPATH", "")),
        3,
    )


def env(name, default=None):
    value = os.environ.get("CALLOSUM_PERF_" + name)
    return default if value is None or value == "" else value


def number(name, default=None):
    raw = env(name)
    if raw is None:
        if default is None:
            fatal("CALLOSUM_PERF_%s is missing; the handler needs it" % name)
        return default
    try:
        value = float(raw)
    except ValueError:
        fatal("CALLOSUM_PERF_%s is '%s'; it takes a number" % (name, raw))
    if value < 0:
        fatal("CALLOSUM_PERF_%s is '%s'; it takes a number >= 0" % (name, raw))
    return value


class Spec:
    """The environment's spec, checked; `word` is how callosum-perf writes it."""

    def __init__(self):
        self.handler = env("HANDLER", "echo")
        if self.handler not in HANDLERS:
            fatal("CALLOSUM_PERF_HANDLER is '%s'; it takes one of %s" % (self.handler, ", ".join(HANDLERS)))
        self.scheduler = env("SCHEDULER", "exit-ordered")
        if self.scheduler not in SCHEDULERS:
            fatal("CALLOSUM_PERF_SCHEDULER is '%s'; it takes %s" % (self.scheduler, " or ".join(SCHEDULERS)))
        compress = env("COMPRESS", "false")
        if compress not in ("true", "false"):
            fatal("CALLOSUM_PERF_COMPRESS is '%s'; it takes true or false" % compress)
        self.compress = compress == "true"
        self.keys = env("CURVE_KEYS")
        parts = ["handler=" + self.handler]
        if self.handler in ("delay", "random-delay"):
            self.delay = number("DELAY_MS") / 1000
            parts.append("delay-ms=" + decimal(self.delay * 1000))
        if self.handler == "random-delay":
            self.delay_max = number("DELAY_MAX_MS") / 1000
            if self.delay_max < self.delay:
                fatal("CALLOSUM_PERF_DELAY_MAX_MS is below CALLOSUM_PERF_DELAY_MS")
            parts.append("delay-max-ms=" + decimal(self.delay_max * 1000))
        if self.handler == "sized-reply":
            self.reply = bytes(int(number("REPLY_BYTES")))
            parts.append("reply-bytes=%d" % len(self.reply))
        parts += [
            "scheduler=" + self.scheduler,
            "compress=" + str(self.compress).lower(),
            "curve=" + str(self.keys is not None).lower(),
        ]
        self.word = ",".join(parts)
        asked = env("SPEC")
        if asked is not None and asked != self.word:
            fatal("CALLOSUM_PERF_SPEC is '%s' but the other variables say '%s'" % (asked, self.word))

    def echo(self):
        if self.handler == "delay":
            return delayed(lambda: self.delay)
        if self.handler == "random-delay":
            return delayed(lambda: random.uniform(self.delay, self.delay_max))
        if self.handler == "sized-reply":
            reply = self.reply

            async def sized_reply(request):
                return reply

            return sized_reply
        if self.handler == "fail":
            return fail
        return echo


def decimal(value):
    """1 -> '1', 0.5 -> '0.5': as callosum-perf writes milliseconds."""
    text = ("%.3f" % value).rstrip("0").rstrip(".")
    return text or "0"


async def echo(request):
    return request.body


def delayed(seconds):
    async def delayed_echo(request):
        await asyncio.sleep(seconds())
        return request.body

    return delayed_echo


async def sized(request):
    return bytes(int(request.body))


async def delay(request):
    await asyncio.sleep(int(request.body) / 1000)
    return request.body


async def fail(request):
    raise RuntimeError("failing on purpose")


def error(request):
    # Raises when called, before a coroutine exists: callosum answers ERROR, not FAILURE.
    raise RuntimeError("an error outside the handler's coroutine, on purpose")


async def cancel(request):
    raise asyncio.CancelledError()


class Keys(AbstractServerAuthenticator):
    """Admits the client keys in <dir>/clients, with the server key pair <dir>/server.key_secret."""

    def __init__(self, directory):
        secret_file = os.path.join(directory, "server.key_secret")
        try:
            self.public, self.secret = zmq.auth.load_certificate(secret_file)
        except (OSError, ValueError) as e:
            fatal("cannot read the CURVE key pair %s: %s" % (secret_file, e))
        if self.secret is None:
            fatal("%s holds no secret key" % secret_file)
        clients = os.path.join(directory, "clients")
        self.allowed = set()
        for name in sorted(os.listdir(clients)) if os.path.isdir(clients) else []:
            if name.endswith(".key"):
                public, _ = zmq.auth.load_certificate(os.path.join(clients, name))
                self.allowed.add(public)

    async def server_identity(self):
        return Identity(domain="callosum-perf", private_key=self.secret)

    async def check_client(self, creds):
        if creds.public_key in self.allowed:
            return AuthResult(success=True, user_id="bench")
        return AuthResult(success=False)

    async def server_public_key(self):
        return self.public


def identity():
    v = sys.version_info
    return "callosum %s python %d.%d.%d" % (importlib.metadata.version("callosum"), v.major, v.minor, v.micro)


async def serve(address, spec, stop_on_eof):
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if stop_on_eof:

        def watch_stdin():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except (OSError, ValueError):
                pass
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch_stdin, name="stdin", daemon=True).start()
    scheduler = KeySerializedAsyncScheduler() if spec.scheduler == "key-serialized" else ExitOrderedAsyncScheduler()
    peer = Peer(
        bind=ZeroMQAddress(address),
        transport=ZeroMQRPCTransport,
        authenticator=Keys(spec.keys) if spec.keys else None,
        serializer=lambda o: o,
        deserializer=lambda o: o,
        scheduler=scheduler,
        compress=spec.compress,
    )
    for method, handler in (
        ("echo", spec.echo()),
        ("sized", sized),
        ("delay", delay),
        ("fail", fail),
        ("error", error),
        ("cancel", cancel),
    ):
        peer.handle_function(method, handler)
    try:
        async with peer:
            print("%s %s spec=%s identity=%s" % (READY, address, spec.word, identity()), flush=True)
            await stop.wait()
    except zmq.ZMQError as e:
        fatal("cannot bind %s: %s" % (address, e), 4)


def main():
    parser = argparse.ArgumentParser(description="A Python Callosum server for callosum-perf.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", type=int, help="bind tcp://127.0.0.1:PORT")
    where.add_argument("--bind", help="bind this ZeroMQ address, such as tcp://127.0.0.1:5020")
    parser.add_argument("--stop-on-eof", action="store_true", help="exit when standard input closes")
    args = parser.parse_args()
    address = args.bind or "tcp://127.0.0.1:%d" % args.port
    asyncio.run(serve(address, Spec(), args.stop_on_eof))


if __name__ == "__main__":
    main()

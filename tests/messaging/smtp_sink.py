#!/usr/bin/python3
"""An SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd) for the email channel's tests.

Writes its port to DIR/port once listening, then writes every message it receives to DIR/<n>.eml with the
envelope in DIR/<n>.env ("MAIL FROM" then each "RCPT TO"). With --fail-first N it answers the
first N messages with 451 (try again later). Stops when its standard input closes.
"""
import argparse
import asyncio
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, fail_first):
        self.directory = directory
        self.fail_first = fail_first
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 try again later"
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            f.write("\n".join([envelope.mail_from] + envelope.rcpt_tos) + "\n")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    # Controller cannot listen on port 0 (it connects to its own port to check it is up): take a
    # free port from the kernel first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(args.directory, args.fail_first), hostname="127.0.0.1", port=port)
    controller.start()
    with open(os.path.join(args.directory, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(args.directory, "port.tmp"), os.path.join(args.directory, "port"))
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()

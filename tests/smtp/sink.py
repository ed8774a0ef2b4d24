"""A real SMTP server on loopback for the email follow-up tests (tests/api/email.rs).

    /usr/bin/python3 tests/smtp/sink.py PORT [--refuse N]

Speaks SMTP with aiosmtpd (Debian's python3-aiosmtpd) on 127.0.0.1:PORT and prints one JSON
line per message it accepts: {"from", "to", "subject", "fromHeader", "text"} (the plain-text
body, decoded from its transfer encoding). With --refuse N it answers the first N
messages with "451 4.3.0 Try again later", as a server that refuses for now does, and prints
{"refused": n} for each. Prints {"listening": PORT} once it accepts connections.
"""

import argparse
import email
import email.policy
import json
import sys

from aiosmtpd.controller import Controller


def tell(line):
    print(json.dumps(line), flush=True)


class Sink:
    def __init__(self, refuse):
        self.refuse = refuse
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refused < self.refuse:
            self.refused += 1
            tell({"refused": self.refused})
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        tell({
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "fromHeader": str(message["From"]),
            "text": body.get_content() if body is not None else "",
        })
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--refuse", type=int, default=0)
    args = parser.parse_args()
    controller = Controller(Sink(args.refuse), hostname="127.0.0.1", port=args.port)
    controller.start()
    tell({"listening": args.port})
    try:
        # Runs until the test kills it (or closes its stdin).
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()

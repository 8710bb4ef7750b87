"""A Newsroom webhook receiver, standard library only: check the signature, drop repeats.

Run it with the secret `newsroom webhooks add` printed:
    NEWSROOM_WEBHOOK_SECRET=whsec_... python3 examples/webhook_receiver.py 8001
"""

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

# --8<-- [start:verify]
TOLERANCE = 300  # seconds: refuse deliveries signed longer ago (replays)


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """Whether `Newsroom-Signature: t=<time>,v1=<hex>` signs `body`, recently, with `secret`."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, signature = fields.get("t", ""), fields.get("v1", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > TOLERANCE:
        return False
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


# --8<-- [end:verify]


class Receiver(BaseHTTPRequestHandler):
    secret = os.environ.get("NEWSROOM_WEBHOOK_SECRET", "")
    seen: ClassVar[set[str]] = set()  # delivery ids handled: a delivery may come more than once

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not verify(self.secret, self.headers.get("Newsroom-Signature", ""), body):
            self.send_response(400)  # not from Newsroom, altered, or replayed
        else:
            delivery = json.loads(body)
            if delivery["id"] not in self.seen:  # a real site keeps these in its database
                self.seen.add(delivery["id"])
                # Rebuild or purge the pages that show it here.
                print(delivery["type"], delivery.get("article") or delivery.get("tag"), flush=True)
            self.send_response(204)  # anything 2xx: delivered
        self.end_headers()


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()

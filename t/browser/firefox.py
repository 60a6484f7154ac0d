#!/usr/bin/python3
"""firefox.py PROFILE URL [SCREENSHOT]: headless Firefox (Debian's
firefox-esr) on the profile PROFILE opens URL, waits for the page to load
and prints its DOM; with SCREENSHOT, also writes a PNG of the viewport.

Firefox has no --dump-dom, and Debian 12 has no geckodriver: the page is
driven over WebDriver BiDi, which Firefox serves itself
(--remote-debugging-port), with python3-websocket.  The certificate a
server asks for is picked by the profile (security.default_personal_cert
in its user.js); nothing here answers a dialog.  Every wait is bounded."""
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time

import websocket

LIMIT = 60  # seconds for the whole run


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Bidi:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=LIMIT, suppress_origin=True)
        self.n = 0

    def call(self, method, params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") != self.n:
                continue  # an event
            if msg.get("type") == "error":
                raise RuntimeError("%s: %s %s" % (method, msg.get("error"), msg.get("message")))
            return msg["result"]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: firefox.py PROFILE URL [SCREENSHOT]")
    profile, url = sys.argv[1], sys.argv[2]
    port = free_port()
    log = open(os.path.join(profile, "firefox.log"), "w")
    ff = subprocess.Popen(
        ["firefox-esr", "--headless", "--no-remote", "--profile", profile,
         "--remote-debugging-port", str(port)],
        stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.time() + LIMIT
        bidi = None
        while bidi is None:
            try:
                bidi = Bidi("ws://127.0.0.1:%d/session" % port)
            except (OSError, websocket.WebSocketException):
                if time.time() > deadline or ff.poll() is not None:
                    sys.exit("firefox.py: Firefox did not open WebDriver BiDi (see firefox.log)")
                time.sleep(0.2)
        bidi.call("session.new", {"capabilities": {}})
        ctx = bidi.call("browsingContext.getTree", {})["contexts"][0]["context"]
        bidi.call("browsingContext.navigate", {"context": ctx, "url": url, "wait": "complete"})
        dom = bidi.call("script.evaluate", {
            "expression": "document.location.href + '\\n' + document.documentElement.outerHTML",
            "target": {"context": ctx}, "awaitPromise": False})["result"]["value"]
        if len(sys.argv) == 4:
            png = bidi.call("browsingContext.captureScreenshot", {"context": ctx})["data"]
            with open(sys.argv[3], "wb") as f:
                f.write(base64.b64decode(png))
        print(dom)
        try:
            bidi.call("session.end", {})
        except (RuntimeError, OSError, websocket.WebSocketException):
            pass
    finally:
        try:
            os.killpg(ff.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            ff.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(ff.pid, signal.SIGKILL)
            ff.wait()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""server.py - a symbol server for tests, on 127.0.0.1 only: serves a SymStore tree and, by the
first path component, misbehaves on purpose. Every request is logged to --log (one line each).

  /ok/<store path>      the file, or 404                /slow/...   waits --delay s, then as ok
  /slowok/...           waits 0.3 s, then as ok       /drip/...   as ok, in 10 pieces over 1.5 s
  /404/...  /500/...    that status                     /drop/...   closes without an answer
  /trunc/...            promises the full length, sends half and closes
  /wrong/<...>.pdb      another PDB (--wrong FILE) for every PDB name; else as ok
  /badcab/...           plain names 404, compressed names a damaged cabinet
  /redir/...            302 to /ok/...
With --tls CERT,KEY it speaks HTTPS. It stops by itself after --lifetime seconds (the test
also kills it)."""
import argparse, http.server, os, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--root", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--wrong", default="")
ap.add_argument("--delay", type=float, default=5.0)
ap.add_argument("--lifetime", type=float, default=600.0)
ap.add_argument("--tls", default="", help="CERT,KEY: serve HTTPS")
args = ap.parse_args()
log_lock = threading.Lock()


def log(line):
    with log_lock:
        with open(args.log, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def send(self, code, body=b"", length=None):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def local(self, rel):
        p = os.path.normpath(os.path.join(args.root, rel))
        if not p.startswith(os.path.abspath(args.root) + os.sep) or not os.path.isfile(p):
            return None
        with open(p, "rb") as f:
            return f.read()

    def do_GET(self):
        parts = self.path.split("?")[0].lstrip("/").split("/", 1)
        mode, rel = parts[0], parts[1] if len(parts) > 1 else ""
        ua = self.headers.get("User-Agent", "")
        code = self.answer(mode, rel)
        log("%s %s %s %s" % (mode, rel, code, ua))

    do_HEAD = do_GET

    def answer(self, mode, rel):
        if mode == "404":
            self.send(404)
            return 404
        if mode == "500":
            self.send(500, b"boom")
            return 500
        if mode == "drop":
            self.close_connection = True
            return "drop"
        if mode == "slow":
            time.sleep(args.delay)
        if mode == "slowok":
            time.sleep(0.3)
        if mode == "redir":
            self.send_response(302)
            self.send_header("Location", "/ok/" + rel)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 302
        body = self.local(rel)
        if mode == "wrong" and rel.lower().endswith(".pdb") and args.wrong:
            with open(args.wrong, "rb") as f:
                body = f.read()
        if mode == "badcab":
            if not rel.endswith("_") or body is None:
                self.send(404)
                return 404
            b = bytearray(body)
            for i in range(len(b) // 2, min(len(b), len(b) // 2 + 64)):
                b[i] ^= 0x5A
            b[0x2C:0x30] = b"\xff\xff\xff\x7f"  # first CFDATA offset far past the end
            body = bytes(b)
        if body is None:
            self.send(404)
            return 404
        if mode == "trunc":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return "trunc"
        if mode == "drip":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            step = len(body) // 10 + 1
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(0.15)
            return 200
        self.send(200, body)
        return 200


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that give up (timeouts) reset connections: expected here


srv = Server(("127.0.0.1", 0), Handler)
if args.tls:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*args.tls.split(","))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
threading.Timer(args.lifetime, lambda: os._exit(0)).start()
srv.serve_forever()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile ovsdb-server for test_ovsdb_hostile.sh: listens on a unix socket, answers list_dbs
like a real server and every transact with the attack MODE names:
  deep       an error nested a million levels deep (crashed the client: SIGSEGV)
  wrong-type a Bridge row whose name is a number (aborted it: type_error.302)
  no-name    a Bridge row without a name (undefined behaviour, an abort)
  flood      an endless stream of '[' (grew its memory without bound)
Usage: fake_ovsdb_server.py SOCKET MODE"""
import json
import os
import socket
import sys
import threading

path, mode = sys.argv[1], sys.argv[2]


def transact_answer(request_id):
    if mode == "deep":
        return b'{"id":%s,"result":null,"error":%s%s}' % (
            json.dumps(request_id).encode(), b"[" * 1_000_000, b"]" * 1_000_000)
    if mode == "wrong-type":
        rows = [{"_uuid": ["uuid", "b1"], "name": 42}]
    else:
        rows = [{"_uuid": ["uuid", "b1"]}]
    tables = [{"rows": rows}, {"rows": []}, {"rows": []}]
    return json.dumps({"id": request_id, "result": tables, "error": None}).encode()


def serve(conn):
    decoder = json.JSONDecoder()
    pending = ""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            pending += data.decode("utf-8", "replace")
            while pending.strip():
                try:
                    request, end = decoder.raw_decode(pending.lstrip())
                except ValueError:
                    break  # not complete yet
                pending = pending.lstrip()[end:]
                try:
                    if request.get("method") == "list_dbs":
                        conn.sendall(json.dumps({"id": request["id"], "result": ["Open_vSwitch"],
                                                 "error": None}).encode())
                    elif mode == "flood":
                        while True:
                            conn.sendall(b"[" * 65536)
                    else:
                        conn.sendall(transact_answer(request["id"]))
                except (BrokenPipeError, ConnectionResetError):
                    return


# Bind under a temporary name and rename once listening: the test waits for the socket file to
# appear, and a file that appeared at bind() would refuse a connection until listen().
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
staging = path + ".binding"
for stale in (path, staging):
    if os.path.exists(stale):
        os.unlink(stale)
listener.bind(staging)
listener.listen(4)
os.rename(staging, path)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs nstopo (NSTOPO_REAL, or the path written into a copy of this file by bench/multihost.sh)
and appends one JSON line to /run/nstopo-bench-times, the machine's own /run on a simulated host:
the verb, the wall time, and the user and system CPU time of nstopo and its threads (wait4's
rusage). Ansible calls it as its nstopo binary, so each host records what nstopo itself took
inside the playbook's time."""
import json
import os
import sys
import time

REAL = os.environ.get("NSTOPO_REAL", "@NSTOPO@")
TIMES = "/run/nstopo-bench-times"

start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execv(REAL, [REAL] + sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall = time.monotonic() - start
verb = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
with open(TIMES, "a") as out:
    out.write(json.dumps({"verb": verb, "args": sys.argv[1:], "wall": wall,
                          "user": usage.ru_utime, "sys": usage.ru_stime}) + "\n")
sys.exit(os.waitstatus_to_exitcode(status))

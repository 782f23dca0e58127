#!/usr/bin/env python3
"""Runs one benchmarked command on a test host and prints one JSON line about it.

Usage: measure.py [--sample] OUTDIR LABEL -- ARGV...

Wall time is taken here, inside the host, so SSH latency never counts. Memory: always the
largest single process's peak RSS, from GNU time (`/usr/bin/time -v`'s "Maximum resident set
size"; it wraps the command because a child forked from this script would start with Python's
own RSS as its high-water mark). Ansible forks workers and puppet runs helpers, so with --sample this also
polls the command's whole process tree every 10 ms and reports the peak of its summed PSS
(shared pages split between sharers). Test hosts cannot make memory cgroups (the v1 memory
hierarchy is read-only inside nspawn), hence polling; it costs CPU, so timed runs go without it.
The command's output goes to OUTDIR/LABEL.out and OUTDIR/LABEL.err; the JSON line carries the
tail of each, for the caller's checks.
"""
import json
import os
import sys
import threading
import time

SAMPLE_SECONDS = 0.01
TAIL_BYTES = 4096
TIME = "/usr/bin/time"


def parent_of(pid):
    with open("/proc/%s/stat" % pid) as f:
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        return int(f.read().rsplit(")", 1)[1].split()[1])


def tree(root):
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                children.setdefault(parent_of(name), []).append(int(name))
            except (OSError, IndexError, ValueError):
                pass  # exited while we looked
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def pss_kib(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.peak, self.stop = root, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, sum(pss_kib(p) for p in tree(self.root)))
            self.stop.wait(SAMPLE_SECONDS)


def max_rss(path):
    """GNU time's %M; a "Command exited with non-zero status" line may come first."""
    with open(path) as f:
        return int(f.read().split()[-1])


def tail(path):
    with open(path, "rb") as f:
        f.seek(max(0, os.fstat(f.fileno()).st_size - TAIL_BYTES))
        return f.read().decode("utf-8", "replace")


def main(argv):
    sample = argv[:1] == ["--sample"]
    argv = argv[1:] if sample else argv
    if len(argv) < 4 or argv[2] != "--":
        sys.exit("usage: measure.py [--sample] OUTDIR LABEL -- ARGV...")
    outdir, label, cmd = argv[0], argv[1], argv[3:]
    os.makedirs(outdir, exist_ok=True)
    out = os.open(os.path.join(outdir, label + ".out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(os.path.join(outdir, label + ".err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    rss_file = os.path.join(outdir, label + ".rss")

    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.execv(TIME, [TIME, "-f", "%M", "-o", rss_file] + cmd)
        except BaseException as e:  # noqa: BLE001 - report anything; never return into the parent's code
            os.write(2, ("measure.py: cannot run %s: %s\n" % (cmd[0], e)).encode())
        os._exit(127)
    sampler = TreeSampler(pid) if sample else None
    if sampler:
        sampler.start()
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    if sampler:
        sampler.stop.set()
        sampler.join()

    print(json.dumps({
        "label": label,
        "argv": cmd,
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 4),
        "user_s": round(usage.ru_utime, 4),
        "sys_s": round(usage.ru_stime, 4),
        "maxrss_kib": max_rss(rss_file),
        "tree_pss_peak_kib": sampler.peak if sampler else None,
        "stdout_tail": tail(os.path.join(outdir, label + ".out")),
        "stderr_tail": tail(os.path.join(outdir, label + ".err")),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])

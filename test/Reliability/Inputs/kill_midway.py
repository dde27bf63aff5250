"""Kills a command part-way and checks that it left no file behind.

  kill_midway.py --signal KILL|TERM --when REGEX --dir OUT_DIR -- CMD...
  kill_midway.py --signal KILL|TERM --when-file REGEX --dir OUT_DIR -- CMD...

Runs CMD, reads its stderr until a line matches REGEX (or, with --when-file,
watches OUT_DIR until a file whose name matches REGEX appears: proof that
the run is under way), sends the signal, and checks that
  - the command died of that signal rather than finishing first,
  - OUT_DIR, empty before, is still empty: no output file, no temporary.
Exit 0 and one line "killed by SIGxxx after: <line>; <dir> is empty" when
all holds; otherwise an "error:" line and exit 1.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--signal", required=True, choices=("KILL", "TERM"))
    when = ap.add_mutually_exclusive_group(required=True)
    when.add_argument("--when")
    when.add_argument("--when-file")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if os.listdir(args.dir):
        sys.exit("error: %s is not empty before the run" % args.dir)
    sig = getattr(signal, "SIG" + args.signal)

    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, text=True,
        stderr=subprocess.PIPE if args.when else subprocess.DEVNULL)
    timer = threading.Timer(args.timeout, proc.kill)
    timer.start()
    seen = None
    if args.when:
        for line in proc.stderr:
            if re.search(args.when, line):
                seen = line.strip()
                proc.send_signal(sig)
                break
        proc.stderr.close()
    else:
        while seen is None and proc.poll() is None:
            names = [n for n in os.listdir(args.dir)
                     if re.search(args.when_file, n)]
            if names:
                proc.send_signal(sig)
                seen = "a file named like %r appeared" % args.when_file
            else:
                time.sleep(0.001)
    code = proc.wait()
    timer.cancel()
    if seen is None:
        print("error: the command ended (exit %d) before %s" % (
            code, "printing a line matching %r" % args.when if args.when
            else "creating a file matching %r" % args.when_file))
        return 1
    if code != -sig:
        print("error: the command was not killed by SIG%s (exit %d): it "
              "finished before the signal arrived" % (args.signal, code))
        return 1
    left = sorted(os.listdir(args.dir))
    if left:
        print("error: killed by SIG%s, but %s holds %s" % (
            args.signal, args.dir, ", ".join(left)))
        return 1
    print("killed by SIG%s after: %s; %s is empty" % (
        args.signal, seen, os.path.basename(os.path.normpath(args.dir))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

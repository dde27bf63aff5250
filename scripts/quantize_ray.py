"""quantize_model.py --executor ray: the groups as Ray tasks.

Groups do not depend on each other (each has its own W and H; the synthetic
source draws each from its own seed), so they all go to the cluster at once
as Ray remote tasks, each reserving --threads CPUs (num_cpus). A task runs
quantize_model.run_job on the worker: it draws or reads the group's W and H,
runs dq-quant on them in a temporary directory local to the worker, and
returns the layers' arrays through Ray's object store. The driver (the
process running quantize_model.py) commits them as they come back
(ray.wait), so it stays the only writer of OUT, and the progress and ETA
work as on one machine.

- Cluster: ray.init(address=--ray-address); without it, Ray's usual
  resolution: $RAY_ADDRESS, else the cluster last started on this machine
  with `ray start`, else a new local one with every core.
- Failures: a group whose statistics are bad (quantize_model.JobError on the
  worker) comes back as that group's failure, not retried; --keep-going
  works as on one machine. A worker that dies (killed, out of memory, its
  node lost) has its group retried on another worker, up to
  $DQ_RAY_MAX_RETRIES times (default 3); after that the group is listed as
  failed and a rerun of the same command redoes it (the run is resumable).
- Same bits as one machine: dq-quant's results do not depend on the thread
  count, and the driver's OPENBLAS_* variables are set for dq-quant on the
  workers (OpenBLAS's kernels are chosen per CPU and change the last bits).
- Every node needs this checkout and dq-quant at the driver's paths (Ray
  puts the driver script's directory on the workers' sys.path), and, for
  --weights/--stats, the files at the same paths (shared storage).
  docs/scale.md, "Sharding over a Ray cluster", says how to set one up.

Tests' fault injection: DQ_TEST_RAY_KILL=GROUP:MARKER SIGKILLs the worker
that has just quantized GROUP, before it returns the result, if MARKER does
not exist yet (it is created holding the worker's pid); the retry writes
its pid to MARKER.retry.
"""
import hashlib
import os
import shutil
import signal
import socket
import tempfile

PROG = "quantize_model.py"
INSTALL = ("bench/scale/setup-ray.sh installs it in .venv-ray/; run "
           "quantize_model.py with .venv-ray/bin/python3 (or pip install "
           "ray into this Python)")


def require():
    """The ray module, or SystemExit with one line saying how to get it."""
    try:
        import ray
    except ImportError as e:
        raise SystemExit("%s: --executor ray needs the Python package ray "
                         "(%s): %s" % (PROG, e, INSTALL))
    return ray


def _max_retries():
    value = os.environ.get("DQ_RAY_MAX_RETRIES", "3")
    try:
        n = int(value)
        if n < 0:
            raise ValueError
    except ValueError:
        raise SystemExit("%s: DQ_RAY_MAX_RETRIES=%r is not a count (0, 1, "
                         "...)" % (PROG, value))
    return n


# --------------------------------------------------------------------------
# On a worker.


def _set_env(env):
    """The driver's OPENBLAS_* variables, exactly (dq-quant inherits them)."""
    for key in [k for k in os.environ if k.startswith("OPENBLAS_")]:
        if key not in env:
            del os.environ[key]
    os.environ.update(env)


def _fault_injection(job, cfg):
    spec = cfg.get("test_kill")
    if not spec:
        return
    group, _, marker = spec.partition(":")
    if job.name != group:
        return
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:  # the retry
        with open(marker + ".retry", "w") as f:
            f.write("%d\n" % os.getpid())
        return
    os.write(fd, b"%d\n" % os.getpid())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


def _task(job, cfg, code):
    """One group on a worker: ("done", (result, layers)) or ("failed",
    message) for a JobError. Anything else raised is Ray's to report."""
    run_job, job_error = code
    _set_env(cfg["env"])
    # A temporary directory on the worker's own disk ($TMPDIR): OUT, where
    # the driver keeps its work files, need not be shared. Named by run and
    # group, so a retry on the same node removes what a killed attempt left.
    work = os.path.join(tempfile.gettempdir(), "dq-quant-ray-%s-%s" % (
        cfg["run_id"], hashlib.sha1(job.name.encode()).hexdigest()[:12]))
    shutil.rmtree(work, ignore_errors=True)
    try:
        try:
            result, layers = run_job(job, dict(cfg, work=work))
        except job_error as e:
            return "failed", str(e)
        _fault_injection(job, cfg)
        return "done", (result, layers)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------
# On the driver.


def _one_line(text):
    lines = [l.strip() for l in str(text).splitlines() if l.strip()]
    return lines[0] if lines else ""


def _failure(ray, error, retries):
    """A one-line message for a task that Ray reports as failed."""
    if isinstance(error, ray.exceptions.WorkerCrashedError):
        return ("the Ray worker running it died, %d time(s) in all "
                "(DQ_RAY_MAX_RETRIES=%d): %s" %
                (retries + 1, retries, _one_line(error)))
    if isinstance(error, ray.exceptions.RayTaskError):
        cause = getattr(error, "cause", None)
        if cause is not None:
            return "on a Ray worker: %s: %s" % (type(cause).__name__,
                                               _one_line(cause))
    return "Ray: %s: %s" % (type(error).__name__, _one_line(error))


def _check_cpus(ray, threads):
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    cpus = [n.get("Resources", {}).get("CPU", 0) for n in nodes]
    if not cpus or max(cpus) < threads:
        raise SystemExit(
            "%s: --threads %d: no node of the Ray cluster has %d CPUs "
            "(largest: %g); give --threads %d or less" %
            (PROG, threads, threads, max(cpus or [0]), int(max(cpus or [0]))))
    return len(nodes), sum(cpus), sum(int(c // threads) for c in cpus)


def executor(jobs, cfg, run_job, JobError):
    """Yields (job, (result, layers) or JobError) as each group ends."""
    ray = require()
    retries = _max_retries()
    if not jobs:  # all done already: no cluster to start or join
        return
    address = cfg.get("ray_address")
    try:
        ray.init(address=address)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise SystemExit("%s: cannot start or join a Ray cluster%s: %s" %
                         (PROG, " at %s" % address if address else "",
                          _one_line(e)))
    pending = {}
    try:
        threads = cfg["threads"]
        nodes, cpus, slots = _check_cpus(ray, threads)
        print("%s: Ray cluster of %d node(s), %g CPUs: up to %d groups at "
              "once, %d threads each" % (PROG, nodes, cpus, slots, threads),
              flush=True)
        task_cfg = dict(cfg)
        task_cfg["env"] = {k: v for k, v in os.environ.items()
                           if k.startswith("OPENBLAS_")}
        task_cfg["run_id"] = hashlib.sha1(("%s:%s" % (
            socket.gethostname(), cfg["work"])).encode()).hexdigest()[:12]
        task_cfg["test_kill"] = os.environ.get("DQ_TEST_RAY_KILL", "")
        # run_job and JobError go together, in one object: the worker's
        # `except JobError` must catch the class run_job raises.
        code = ray.put((run_job, JobError))
        remote = ray.remote(_task).options(
            num_cpus=threads, max_retries=retries, retry_exceptions=False)
        for job in jobs:
            pending[remote.remote(job, task_cfg, code)] = job
        while pending:
            (ref,), _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ref)
            try:
                status, value = ray.get(ref)
                outcome = value if status == "done" else JobError(value)
            except ray.exceptions.RayError as e:
                outcome = JobError(_failure(ray, e, retries))
            del ref
            yield job, outcome
    finally:
        # Stopped early (a failure without --keep-going, ^C): the groups
        # still queued or running are cancelled; KeyboardInterrupt in a
        # running task stops its dq-quant and removes its files.
        for ref in pending:
            try:
                ray.cancel(ref)
            except Exception:  # already finished or gone
                pass
        ray.shutdown()

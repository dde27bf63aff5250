#!/usr/bin/env python3
"""Quantizes a whole model with dq-quant, one group of layers at a time.

  quantize_model.py --synthetic llama2-7b --out OUT [quantization options]
  quantize_model.py --weights W.safetensors --stats S.safetensors --out OUT

A group is the layers that read the same activations, so share one H (q, k
and v; gate and up): dq-quant quantizes their rows stacked, which costs one
validation, one GPTQ factor and one H·E for the group. Rows are independent
given H, so this equals quantizing them one by one, except that decoupleQ's
early stop counts improved rows over the group.

- Memory is bounded by the largest group: a group's W and H are drawn or
  read, handed to dq-quant through files in OUT/.work, and freed.
- Each finished layer is committed atomically as OUT/<layer>.safetensors, a
  dq-quantized-model file; the directory is a checkpoint that
  `dq-opt --dq-quantize="weights=OUT"` imports (docs/weights-format.md).
- Resumable: a run that is killed and started again with the same command
  redoes only the groups with a layer not yet committed, and the result is
  the same bits as an uninterrupted run (the synthetic source draws every
  group from its own seed; dq-quant is deterministic for any thread count).
  OUT/run.json records the command's settings; another run's OUT is refused.
- A group that fails (bad statistics: NaN, not positive semi-definite, wrong
  shape) stops the run with a message naming it; with --keep-going the run
  goes on and lists the failures at the end (exit status 1).
- Progress: one line per group with its error and time, elapsed time and an
  ETA from the work done so far (rows x K² per group). OUT/summary.json has
  the per-shape breakdown.
- --executor ray runs independent groups on a Ray cluster
  (scripts/quantize_ray.py, docs/scale.md; --ray-address or $RAY_ADDRESS
  names the cluster); the default runs them here, one after another, each
  on --threads threads.

Sources:
  --synthetic MODEL[:BLOCKS]  bench/scale/synth.py's statistics, drawn at run
                              time (MODEL: llama2-7b, llama2-13b, tiny)
  --weights F --stats S       float weights (tensor <layer>.weight or <layer>,
                              [N, K] float16/32/64) and calibration statistics
                              (<layer>.hessian, docs/stats-format.md); each
                              layer of S is its own group
"""
import argparse
import concurrent.futures
import fcntl
import fnmatch
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import dqfiles  # noqa: E402

PRODUCER = "quantize_model.py"


class JobError(Exception):
    """A group that could not be quantized; the message names it."""


# --------------------------------------------------------------------------
# Sources: what a group is, and its W (stacked rows) and H.


class Job:
    """One group: its name, K, [(layer, rows)], and where it comes from.
    Plain data, so that it pickles (Ray)."""

    def __init__(self, name, k, layers, source):
        self.name, self.k, self.layers, self.source = name, k, layers, source

    @property
    def rows(self):
        return sum(n for _, n in self.layers)

    @property
    def cost(self):
        """Work in multiply-adds, to within a constant: rows x K²."""
        return float(self.rows) * self.k * self.k


def _synth():
    sys.path.insert(0, os.path.join(ROOT, "bench", "scale"))
    import synth  # noqa: E402
    return synth


def synthetic_jobs(spec, seed):
    model, _, blocks = spec.partition(":")
    synth = _synth()
    try:
        groups = synth.groups(model, int(blocks) if blocks else None)
    except ValueError as e:
        raise SystemExit("quantize_model.py: --synthetic: %s" % e)
    return [Job(g.name, g.k, g.layers, ("synthetic", model, seed, g.block,
                                         g.kind)) for g in groups]


def stats_jobs(weights_path, stats_path):
    try:
        stats = dqfiles.SafetensorsFile(stats_path)
        weights = dqfiles.SafetensorsFile(weights_path)
    except dqfiles.FileFormatError as e:
        raise SystemExit("quantize_model.py: %s" % e)
    jobs = []
    for name in sorted(stats.names):
        if not name.endswith(".hessian"):
            continue
        layer = name[:-len(".hessian")]
        wname = next((n for n in (layer + ".weight", layer)
                      if n in weights), None)
        if wname is None:
            raise SystemExit("quantize_model.py: layer %r of %s has no "
                             "weight in %s (expected a tensor %r or %r)" %
                             (layer, stats_path, weights_path,
                              layer + ".weight", layer))
        shape = weights.shape(wname)
        if len(shape) != 2:
            raise SystemExit("quantize_model.py: %s: %r is %s, not [N, K]" %
                             (weights_path, wname, list(shape)))
        jobs.append(Job(layer, shape[1], [(layer, shape[0])],
                        ("stats", weights_path, stats_path, wname, name)))
    if not jobs:
        raise SystemExit("quantize_model.py: %s holds no <layer>.hessian" %
                         stats_path)
    return jobs


def materialize(job):
    """-> (W [rows, K] float32 or float64, H [K, K]) of a job."""
    kind = job.source[0]
    if kind == "synthetic":
        _, model, seed, block, gkind = job.source
        synth = _synth()
        group = synth.Group(job.name, job.k, job.layers, block, gkind)
        w, _ = synth.weights(model, group, seed)
        return w, synth.hessian(model, group, seed)
    _, weights_path, stats_path, wname, hname = job.source
    try:
        w = dqfiles.SafetensorsFile(weights_path).read(wname)
        h = dqfiles.SafetensorsFile(stats_path).read(hname)
    except dqfiles.FileFormatError as e:
        raise JobError(str(e))
    if w.dtype not in (np.float16, np.float32, np.float64):
        raise JobError("%s: %r is %s, not a float tensor" %
                       (weights_path, wname, w.dtype))
    return w.astype(np.float32 if w.dtype == np.float16 else w.dtype), h


# --------------------------------------------------------------------------
# One job: dq-quant on the stacked rows, split back into layers.


def prepare_job(job, cfg):
    """Draws or reads a group's W and H into a fresh work folder for
    dq-quant; -> (folder, seconds)."""
    work = os.path.join(cfg["work"], hashlib.sha1(
        job.name.encode()).hexdigest()[:16])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    start = time.monotonic()
    try:
        w, h = materialize(job)
        if w.shape != (job.rows, job.k):
            raise JobError("weights are %s, expected [%d, %d]" %
                           (list(w.shape), job.rows, job.k))
        np.save(os.path.join(work, "W.npy"), w)
        np.save(os.path.join(work, "H.npy"), h)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work, time.monotonic() - start


def finish_job(job, cfg, work, drawn):
    """Runs dq-quant on a prepared group and splits its result into layers;
    -> (result, {layer: arrays}). Removes the work folder."""
    try:
        start = time.monotonic()
        out = os.path.join(work, "out.safetensors")
        cmd = [cfg["dq_quant"], "--weight", os.path.join(work, "W.npy"),
               "--hessian", os.path.join(work, "H.npy"), "--layer-name",
               job.name, "--threads", str(cfg["threads"]), "--quiet",
               "--profile", "-o", out] + cfg["quant_args"]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            lines = [l for l in proc.stderr.splitlines() if l.strip()]
            raise JobError(lines[-1] if lines else
                           "dq-quant exited with status %d" % proc.returncode)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        tensors, meta = dqfiles.read_safetensors(out)
        layers, row = {}, 0
        for name, n in job.layers:
            part = slice(row, row + n)
            err = float(tensors["row_error"][part].sum())
            energy = float(tensors["row_energy"][part].sum())
            layers[name] = {
                "q": tensors["q"][part], "scale": tensors["scale"][part],
                "offset": tensors["offset"][part],
                "scale_dtype": meta.get("scale_type", "f16"),
                "bits": int(meta["bits"]),
                "normalized_error": err / energy if energy > 0 else 0.0}
            row += n
        result["draw_seconds"] = drawn
        result["wall_seconds"] = time.monotonic() - start
        return result, layers
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_job(job, cfg):
    """Quantizes one group; -> (result, {layer: arrays}). Module-level and
    plain-data in and out, so that a Ray worker can run it."""
    work, drawn = prepare_job(job, cfg)
    return finish_job(job, cfg, work, drawn)


def commit_layer(out_dir, name, layer, settings):
    scale, offset = layer["scale"], layer["offset"]
    if layer["scale_dtype"] == "bf16":
        scale, offset = dqfiles.Raw("BF16", scale), dqfiles.Raw("BF16", offset)
    meta = {"settings": settings, "normalized_error":
            "%.17g" % layer["normalized_error"]}
    dqfiles.write_quantized_model(
        layer_path(out_dir, name),
        {name: (layer["q"], scale, offset, layer["bits"])}, PRODUCER, meta)


def layer_path(out_dir, name):
    return os.path.join(out_dir, name + ".safetensors")


# --------------------------------------------------------------------------
# Executors: run jobs, yield (job, (result, layers) or JobError) as each ends.


def local_executor(jobs, cfg):
    """One group after another, the next one drawn (in a thread: numpy
    releases the GIL) while dq-quant works on the current one, whose
    serial stages leave a core idle now and then."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        ahead = pool.submit(prepare_job, jobs[0], cfg) if jobs else None
        for i, job in enumerate(jobs):
            try:
                work, drawn = ahead.result()
            except JobError as e:
                work, drawn = None, e
            ahead = (pool.submit(prepare_job, jobs[i + 1], cfg)
                     if i + 1 < len(jobs) else None)
            if work is None:
                yield job, drawn
                continue
            try:
                yield job, finish_job(job, cfg, work, drawn)
            except JobError as e:
                yield job, e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


EXECUTORS = {"local": local_executor}


def ray_executor(jobs, cfg):
    sys.path.insert(0, HERE)
    import quantize_ray  # noqa: E402
    return quantize_ray.executor(jobs, cfg, run_job, JobError)


EXECUTORS["ray"] = ray_executor


# --------------------------------------------------------------------------


def quant_args(a):
    args = ["--method", a.method, "--bits", str(a.bits), "--group-size",
            str(a.group_size), "--scale-type", a.scale_type, "--damp",
            repr(a.damp)]
    if a.iters is not None:
        args += ["--iters", str(a.iters)]
    if a.clip_exact_candidates is not None:
        args += ["--clip-exact-candidates", str(a.clip_exact_candidates)]
    for opt in a.method_option:
        args += ["--method-option", opt]
    return args


def hms(seconds):
    s = int(round(seconds))
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


def shape_key(job, n):
    return "%dx%d" % (n, job.k)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]))
    src = p.add_argument_group("source")
    src.add_argument("--synthetic", metavar="MODEL[:BLOCKS]")
    src.add_argument("--seed", type=int, default=0,
                     help="synthetic statistics' seed (default 0)")
    src.add_argument("--weights", metavar="FILE")
    src.add_argument("--stats", metavar="FILE")
    p.add_argument("--out", required=True, metavar="DIR")
    q = p.add_argument_group("quantization (dq-quant's options)")
    q.add_argument("--method", default="decoupleq")
    q.add_argument("--bits", type=int, default=2)
    q.add_argument("--group-size", type=int, default=64)
    q.add_argument("--scale-type", default="f16")
    q.add_argument("--damp", type=float, default=0.01)
    q.add_argument("--iters", type=int)
    q.add_argument("--clip-exact-candidates", type=int)
    q.add_argument("--method-option", action="append", default=[],
                   metavar="KEY=VALUE")
    r = p.add_argument_group("running")
    r.add_argument("--threads", type=int, default=0,
                   help="dq-quant threads per group (0: every core)")
    r.add_argument("--executor", choices=sorted(EXECUTORS), default="local")
    r.add_argument("--ray-address", metavar="ADDR",
                   help="--executor ray: the cluster to join (the head's "
                   "host:port, 'auto' or 'local'; default: $RAY_ADDRESS, "
                   "else Ray's default: a cluster started here with `ray "
                   "start`, else a new local one)")
    r.add_argument("--keep-going", action="store_true",
                   help="go on after a group fails; list failures at the end")
    r.add_argument("--layers", metavar="GLOB",
                   help="only the groups with a layer matching GLOB")
    r.add_argument("--dq-quant", default=os.path.join(ROOT, "build", "bin",
                                                      "dq-quant"))
    a = p.parse_args(argv)
    if bool(a.synthetic) == bool(a.weights or a.stats):
        p.error("give either --synthetic or --weights and --stats")
    if not a.synthetic and not (a.weights and a.stats):
        p.error("--weights and --stats go together")
    if not os.access(a.dq_quant, os.X_OK):
        p.error("no dq-quant at %s (build it, or give --dq-quant)" %
                a.dq_quant)
    if a.ray_address and a.executor != "ray":
        p.error("--ray-address goes with --executor ray")
    if a.executor == "ray":  # before OUT is made: one line if Ray is absent
        import quantize_ray
        quantize_ray.require()
    return a


def main(argv=None):
    a = parse_args(argv)
    jobs = (synthetic_jobs(a.synthetic, a.seed) if a.synthetic else
            stats_jobs(a.weights, a.stats))
    if a.layers:
        jobs = [j for j in jobs if any(fnmatch.fnmatchcase(n, a.layers)
                                       for n, _ in j.layers)]
        if not jobs:
            raise SystemExit("quantize_model.py: --layers %r matches no "
                             "layer" % a.layers)
    threads = a.threads or os.cpu_count() or 1
    qargs = quant_args(a)
    source = ({"synthetic": a.synthetic, "seed": a.seed} if a.synthetic else
              {"weights": os.path.abspath(a.weights),
               "stats": os.path.abspath(a.stats)})
    settings = json.dumps({"source": source, "dq_quant_args": qargs},
                          sort_keys=True)

    os.makedirs(a.out, exist_ok=True)
    lock = open(os.path.join(a.out, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit("quantize_model.py: %s is in use by another run" %
                         a.out)
    run_file = os.path.join(a.out, "run.json")
    if os.path.exists(run_file):
        with open(run_file) as f:
            previous = json.load(f).get("settings")
        if previous != settings:
            raise SystemExit(
                "quantize_model.py: %s holds a run with other settings:\n"
                "  there: %s\n  here:  %s\nuse another --out, or remove it" %
                (a.out, previous, settings))
    else:
        dqfiles.write_atomic(run_file, (json.dumps(
            {"settings": settings, "producer": PRODUCER}, indent=1) +
            "\n").encode())
    work = os.path.join(a.out, ".work")
    shutil.rmtree(work, ignore_errors=True)
    for f in os.listdir(a.out):  # a killed writer's temporaries
        if f.startswith(".dqfiles-"):
            os.unlink(os.path.join(a.out, f))
    cfg = {"dq_quant": os.path.abspath(a.dq_quant), "threads": threads,
           "quant_args": qargs, "work": os.path.abspath(work),
           "ray_address": a.ray_address}

    todo = [j for j in jobs if not all(
        os.path.exists(layer_path(a.out, n)) for n, _ in j.layers)]
    nlayers = sum(len(j.layers) for j in jobs)
    print("quantize_model.py: %d layers in %d groups; %d groups to do%s; "
          "dq-quant %s, %d threads" %
          (nlayers, len(jobs), len(todo),
           " (resuming: %d done)" % (len(jobs) - len(todo))
           if len(todo) < len(jobs) else "", " ".join(qargs), threads),
          flush=True)

    kill_after = int(os.environ.get("DQ_TEST_KILL_AFTER_LAYERS", "0"))
    start = time.monotonic()
    total_cost = sum(j.cost for j in todo)
    done_cost, committed, failures, shapes = 0.0, 0, [], {}
    for index, (job, outcome) in enumerate(
            EXECUTORS[a.executor](todo, cfg), 1):
        elapsed = time.monotonic() - start
        if isinstance(outcome, Exception):
            failures.append((job.name, str(outcome)))
            print("[%d/%d] %s: FAILED: %s" % (index, len(todo), job.name,
                                              outcome), flush=True)
            if not a.keep_going:
                print("quantize_model.py: stopped (--keep-going goes on "
                      "past a failed group)", file=sys.stderr)
                return 1
            total_cost -= job.cost
            continue
        result, layers = outcome
        for name, n in job.layers:
            commit_layer(a.out, name, layers[name], settings)
            committed += 1
            if kill_after and committed == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)  # tests' fault injection
            key = shape_key(job, n)
            entry = shapes.setdefault(key, {"layers": 0, "seconds": 0.0})
            entry["layers"] += 1
            entry["seconds"] += result["wall_seconds"] * n / job.rows
        done_cost += job.cost
        eta = elapsed * (total_cost - done_cost) / done_cost
        errors = ", ".join("%.4g" % layers[n]["normalized_error"]
                           for n, _ in job.layers)
        print("[%d/%d] %s %dx%d (%d layer%s): error %s in %.1f s "
              "(drawn in %.1f s) | %s elapsed, ETA %s" %
              (index, len(todo), job.name, job.rows, job.k, len(job.layers),
               "s" if len(job.layers) > 1 else "", errors,
               result["wall_seconds"], result["draw_seconds"], hms(elapsed),
               hms(eta)), flush=True)

    total = time.monotonic() - start
    shutil.rmtree(work, ignore_errors=True)
    # In the groups' order: --executor ray ends them in any order.
    order = {j.name: i for i, j in enumerate(todo)}
    failures.sort(key=lambda f: order[f[0]])
    summary = {"settings": json.loads(settings), "seconds": total,
               "groups_done": len(todo) - len(failures),
               "groups_skipped": len(jobs) - len(todo),
               "failures": [{"group": n, "error": e} for n, e in failures],
               "shapes": shapes}
    dqfiles.write_atomic(os.path.join(a.out, "summary.json"),
                         (json.dumps(summary, indent=1) + "\n").encode())
    print("quantize_model.py: %d groups in %s (%d skipped as done)" %
          (len(todo) - len(failures), hms(total), len(jobs) - len(todo)))
    for key, e in sorted(shapes.items()):
        print("  %-12s %4d layers %9.1f s  %7.2f s/layer" %
              (key, e["layers"], e["seconds"], e["seconds"] / e["layers"]))
    if failures:
        print("quantize_model.py: %d group(s) failed:" % len(failures))
        for name, err in failures:
            print("  %s: %s" % (name, err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

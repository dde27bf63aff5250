# A Ray cluster of its own for one command (the Ray tests; needs ray).
#
#   ray_cluster.py CPUS CMD ARGS...
#
# Starts a Ray head node on this machine with CPUS CPUs (so at most CPUS
# one-CPU worker processes at once), in a fresh temporary directory, on
# ports the system picks (two tests at once cannot collide), with a token
# of its own (nothing written to ~/.ray). Runs CMD with every "@ADDRESS@" in
# its arguments replaced by the cluster's address, and $RAY_ADDRESS unset
# (CMD joins this cluster only when told to). Stops the cluster and removes
# its directory whatever CMD did (this process started Ray's processes: they
# die with it even when it is killed), and exits with CMD's status.
import os
import secrets
import shutil
import subprocess
import sys
import tempfile


def main():
    cpus, cmd = int(sys.argv[1]), sys.argv[2:]
    os.environ.pop("RAY_ADDRESS", None)
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    # Short: Ray's Unix sockets live below it (108-byte path limit).
    tmp = tempfile.mkdtemp(prefix="dqray", dir="/tmp")
    import ray
    try:
        context = ray.init(address="local", num_cpus=cpus,
                           include_dashboard=False, _temp_dir=tmp,
                           log_to_driver=False, logging_level="WARNING")
        address = context.address_info["gcs_address"]
        status = subprocess.call([a.replace("@ADDRESS@", address)
                                  for a in cmd])
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()

"""A one-node SLURM cluster on localhost from Debian's packages, for the tests of the SLURM
executor: ``munged``, ``mariadbd``, ``slurmdbd``, ``slurmctld`` and ``slurmd``, each started in the
foreground by this module with its configuration, state and logs under one folder and its own
ports, and stopped by the PID this module started. Accounting (slurmdbd with MariaDB) is part of
it because submitit follows jobs through ``sacct``.

``python tests/slurm_cluster.py FOLDER`` starts one and keeps it until Ctrl-C (it prints the
``SLURM_CONF`` to export), to try the launcher by hand.
"""

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

#: The Debian packages it needs (they bring slurm-client and munge).
PACKAGES = ("slurmctld", "slurmd", "slurmdbd", "mariadb-server")
DAEMONS = ("munged", "mariadbd", "mariadb-install-db", "slurmdbd", "slurmctld", "slurmd", "sbatch", "sacct")
PARTITION = "debug"
#: The partition's time limit in minutes: a job asking for more pends with reason PartitionTimeLimit.
MAX_MINUTES = 30


def missing() -> str:
    """Why no cluster can start here ('' when one can)."""
    absent = [d for d in DAEMONS if shutil.which(d, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None]
    if absent:
        return f"SLURM is not installed ({', '.join(absent)} missing): apt-get install {' '.join(PACKAGES)}"
    if not Path("/etc/munge/munge.key").exists():
        return "no munge key in /etc/munge/munge.key (Debian's munge package creates it)"
    if os.geteuid() != 0:
        return "slurmd runs jobs as their user, so the test cluster's daemons run as root; tests run as " + \
               getpass.getuser()
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlurmCluster:
    """The cluster in ``root``. :meth:`start` returns once ``sinfo`` shows the node idle;
    :meth:`env` is what a client needs (``SLURM_CONF``); :meth:`stop_controller` and
    :meth:`start_controller` take ``slurmctld`` away and back (the controller briefly
    unreachable); :meth:`stop` ends every daemon by its PID."""

    def __init__(self, root: Path, cpus: int = 2, memory_mb: int = 4000):
        self.root = root
        self.cpus, self.memory_mb = cpus, memory_mb
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = {name: _free_port() for name in ("mysql", "dbd", "ctld", "slurmd")}
        self.conf = root / "etc" / "slurm.conf"

    def env(self) -> dict[str, str]:
        return {"SLURM_CONF": str(self.conf), "PATH": os.environ["PATH"]}

    # -- configuration ------------------------------------------------------------------------------
    def _write_config(self) -> None:
        r = self.root
        for sub in ("etc", "munge", "mysql", "ctld", "slurmd", "log", "run"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        (r / "munge").chmod(0o700)
        shutil.copy("/etc/munge/munge.key", r / "munge" / "munge.key")
        (r / "munge" / "munge.key").chmod(0o400)
        munge = r / "munge" / "munge.socket"
        self.conf.write_text(f"""\
ClusterName=reprlab-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort={self.ports['ctld']}
SlurmdPort={self.ports['slurmd']}
AuthType=auth/munge
AuthInfo=socket={munge}
CredType=cred/munge
StateSaveLocation={r / 'ctld'}
SlurmdSpoolDir={r / 'slurmd'}
SlurmctldPidFile={r / 'run' / 'slurmctld.pid'}
SlurmdPidFile={r / 'run' / 'slurmd.pid'}
SlurmctldLogFile={r / 'log' / 'slurmctld.log'}
SlurmdLogFile={r / 'log' / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort={self.ports['dbd']}
AccountingStoragePass={munge}
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
MessageTimeout=5
InactiveLimit=0
KillWait=10
MinJobAge=60
NodeName=localhost CPUs={self.cpus} RealMemory={self.memory_mb} State=UNKNOWN
PartitionName={PARTITION} Nodes=localhost Default=YES MaxTime={MAX_MINUTES} State=UP
""")
        dbd = r / "etc" / "slurmdbd.conf"
        dbd.write_text(f"""\
AuthType=auth/munge
AuthInfo=socket={munge}
DbdHost=localhost
DbdPort={self.ports['dbd']}
SlurmUser=root
PidFile={r / 'run' / 'slurmdbd.pid'}
LogFile={r / 'log' / 'slurmdbd.log'}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={self.ports['mysql']}
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
""")
        dbd.chmod(0o600)
        (r / "mysql-init.sql").write_text(
            "CREATE USER IF NOT EXISTS 'slurm'@'%' IDENTIFIED BY 'slurm';\n"
            "GRANT ALL ON slurm_acct_db.* TO 'slurm'@'%';\n")

    # -- daemons ------------------------------------------------------------------------------------
    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.root / "log" / f"{name}.out", "ab")
        self.procs[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env={**os.environ, **(env or {})}, start_new_session=True)
        log.close()

    def _wait(self, what: str, ready, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                self.stop()
                logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}"
                                 for p in sorted((self.root / "log").iterdir()))
                raise RuntimeError(f"the test cluster did not start: {what} "
                                   f"({'exited: ' + ', '.join(dead) if dead else 'timed out'})\n{logs}")
            time.sleep(0.2)

    def _client(self, *command: str, timeout: float = 20) -> subprocess.CompletedProcess:
        return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **self.env()})

    def start(self) -> "SlurmCluster":
        self._write_config()
        r = self.root
        self._spawn("munged", ["munged", "--foreground", "--force", f"--socket={r / 'munge' / 'munge.socket'}",
                               f"--key-file={r / 'munge' / 'munge.key'}", f"--pid-file={r / 'munge' / 'munged.pid'}",
                               f"--log-file={r / 'log' / 'munged.log'}", f"--seed-file={r / 'munge' / 'seed'}"])
        subprocess.run(["mariadb-install-db", f"--datadir={r / 'mysql'}", "--user=root", "--skip-test-db",
                        "--auth-root-authentication-method=normal"], check=True, capture_output=True)
        self._spawn("mariadbd", ["mariadbd", "--no-defaults", f"--datadir={r / 'mysql'}", "--user=root",
                                 f"--socket={r / 'run' / 'mysqld.sock'}", f"--port={self.ports['mysql']}",
                                 "--bind-address=127.0.0.1", "--skip-name-resolve",
                                 f"--pid-file={r / 'run' / 'mysqld.pid'}", f"--init-file={r / 'mysql-init.sql'}",
                                 "--innodb-buffer-pool-size=32M", "--skip-log-bin"])
        self._wait("mariadbd listening", lambda: _listening(self.ports["mysql"]))
        self._spawn("slurmdbd", ["slurmdbd", "-D"], {"SLURM_CONF": str(self.conf)})
        self._wait("slurmdbd listening", lambda: _listening(self.ports["dbd"]))
        self.start_controller()
        self._spawn("slurmd", ["slurmd", "-D", "-N", "localhost", "-f", str(self.conf)])
        self._wait("the node idle", lambda: self._client("sinfo", "-h", "-o", "%t").stdout.strip() == "idle")
        return self

    def start_controller(self) -> None:
        self._spawn("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self._wait("slurmctld answering", lambda: self._client("scontrol", "ping").stdout.count("UP") > 0)

    def stop_controller(self) -> None:
        self._stop("slurmctld")

    def _stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self) -> None:
        """Every daemon, in the reverse order of their start, by the PID this object started."""
        for name in ("slurmd", "slurmctld", "slurmdbd", "mariadbd", "munged"):
            self._stop(name)

    def run(self, *command: str) -> str:
        """A client command (``squeue``, ``scancel``, ``scontrol``) against this cluster; its stdout."""
        done = self._client(*command)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
        return done.stdout


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    why = missing()
    if why:
        sys.exit(why)
    cluster = SlurmCluster(Path(sys.argv[1]).resolve()).start()
    print(f"export SLURM_CONF={cluster.conf}  # the cluster is up; Ctrl-C stops it", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()

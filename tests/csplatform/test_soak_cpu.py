"""`make soak`'s CPU accounting (bench/soak/cpu.py) and gunicorn's configuration (gunicorn.conf.py)."""

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.soak.cpu import CpuSampler, format_table

ROOT = Path(__file__).resolve().parents[2]
# Burns about 0.4 s of CPU in a grandchild (so the leader's descendants are followed), then idles.
BURN = (
    "import subprocess, sys, time\n"
    "code = 'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.4: pass\\n'\n"
    "code += 'print(\"burnt\", flush=True)\\ntime.sleep(3)'\n"
    "subprocess.run([sys.executable, '-c', code])\n"
)

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def test_a_leaders_descendants_cpu_counts_to_its_role():
    sampler = CpuSampler({}, "no-such-database", interval=0.2)
    sampler.start()
    leader = subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE)
    sampler.leaders["burner"] = leader.pid
    try:
        assert leader.stdout.readline() == b"burnt\n"
        time.sleep(0.5)  # the grandchild has burnt its 0.4 s and sleeps: still alive at the last sample
        sampler.stop()
    finally:
        leader.wait()
    roles = sampler.table()["roles"]
    assert 0.35 <= roles["burner"] <= 0.8, roles
    # The leader itself (a waiting parent) costs little: the burn is the grandchild's.
    assert sum(roles.values()) >= roles["burner"]


def test_cpu_before_the_window_is_not_counted():
    leader = subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE)
    assert leader.stdout.readline() == b"burnt\n"  # the burn happens before the window
    sampler = CpuSampler({"burner": leader.pid}, "no-such-database", interval=0.2)
    sampler.start()
    try:
        time.sleep(0.5)
        sampler.stop()
    finally:
        leader.wait()
    assert sampler.table()["roles"].get("burner", 0.0) < 0.1


def test_the_table_gives_shares_of_the_cores_and_of_the_busy_time():
    text = format_table(
        {
            "seconds": 10.0,
            "cores": 2,
            "machine_busy": 16.0,
            "roles": {"gunicorn": 8.0, "load": 2.0, "idle role": 0.01},
            "waits": {"Lock:transactionid | UPDATE x": 3},
        }
    )
    assert "gunicorn                      8.0     40.0%    50.0%" in text
    assert "load                          2.0     10.0%    12.5%" in text
    assert "idle role" not in text  # under 0.05 s: left out
    assert "     3 | Lock:transactionid | UPDATE x" in text


def _conf(monkeypatch, **env):
    for name in (
        "GUNICORN_POOL",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "GUNICORN_NICE",
        "GUNICORN_CONTROL_SOCKET",
        "GUNICORN_SWITCH_INTERVAL_MS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_pools(monkeypatch):
    pages = _conf(monkeypatch)
    assert (pages.pool, pages.worker_class, pages.threads, pages.nice) == ("pages", "gthread", 4, 0)
    ingest = _conf(monkeypatch, GUNICORN_POOL="ingest")
    assert (ingest.workers, ingest.threads, ingest.nice) == (1, 2, 10)
    assert _conf(monkeypatch, GUNICORN_POOL="ingest", GUNICORN_NICE="5").nice == 5
    # two pools must not share gunicorn's one control socket per user
    assert pages.control_socket_disable is True
    assert _conf(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/pulse/pages.ctl").control_socket == "/run/pulse/pages.ctl"
    with pytest.raises(SystemExit):
        _conf(monkeypatch, GUNICORN_POOL="everything")


def test_gunicorn_switch_interval(monkeypatch):
    """A worker takes the interpreter lock's switch interval the environment gives (the worker's own
    interpreter: post_fork), and refuses one that is not a number of milliseconds in (0, 100]."""
    import sys

    assert _conf(monkeypatch).switch_interval_ms == "1"  # the pages pool: 1 ms
    assert _conf(monkeypatch, GUNICORN_POOL="ingest").switch_interval_ms == ""  # Python's own
    conf = _conf(monkeypatch, GUNICORN_SWITCH_INTERVAL_MS="1")
    before = sys.getswitchinterval()
    try:
        conf.post_fork(None, None)
        assert sys.getswitchinterval() == pytest.approx(0.001)
    finally:
        sys.setswitchinterval(before)
    for bad in ("0", "-1", "500", "fast"):
        with pytest.raises(SystemExit):
            _conf(monkeypatch, GUNICORN_SWITCH_INTERVAL_MS=bad)

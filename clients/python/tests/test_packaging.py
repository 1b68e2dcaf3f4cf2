"""The pyproject.toml builds a wheel (offline, Debian's setuptools) holding the client and
its generated stubs, and the installed wheel works on its own."""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
GEN = os.path.join(PROJECT, "..", "..", "scripts", "gen-clients.sh")


def test_wheel_builds_and_installs(tmp_path):
    src = tmp_path / "project"
    shutil.copytree(PROJECT, src, ignore=shutil.ignore_patterns("tests", "build", "__pycache__", "*.egg-info"))
    subprocess.run(["bash", GEN, "python", str(src / "src")], check=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-cache-dir"]
    subprocess.run(pip + ["wheel", "--no-build-isolation", "--no-index", "--no-deps", "-q",
                          "-w", str(tmp_path / "dist"), str(src)], check=True)
    (wheel,) = (tmp_path / "dist").iterdir()
    subprocess.run(pip + ["install", "--no-index", "--no-deps", "-q", "--target", str(tmp_path / "site"),
                          str(wheel)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tmp_path / "site")
    out = subprocess.run([sys.executable, "-c", "import tokend_client, tokend.v1.token_pb2_grpc; "
                          "print(tokend_client.__file__)"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(tmp_path / "site"))

"""drillsim as a user installs it: a wheel (not editable) in a fresh virtual environment, run
from a folder that is not the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "drillsim", "simulator", "scoring", "tui", "scenarios"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(drillsim command, the wheel): built from a copy of the sources, installed without
    dependencies into a new venv that borrows this environment's dependencies via a .pth file
    (no network), so that the drillsim package itself can only come from the wheel."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, src / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp / "dist").glob("drillsim-*.whl")
    env = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    site = Path(
        subprocess.run(
            [
                env / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    script = env / "bin" / "drillsim"
    script.write_text(
        f"#!{env / 'bin' / 'python'}\nimport sys\nfrom drillsim.cli import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    return script, wheel


def test_the_wheel_installs_one_import_name_with_the_scenarios(installed):
    _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info"
    assert {n.split("/")[0] for n in names} == {"drillsim", dist_info}
    for data in (
        "drillsim/scenarios/payment_outage.yaml",
        "drillsim/scenarios/procedures/factory_003.yaml",
        "drillsim/scenarios/variants/sms_fallback.yaml",
        "drillsim/tui/drillsim.tcss",
    ):
        assert data in names


def test_installed_drillsim_lists_and_runs_from_any_folder(installed, tmp_path):
    drillsim, _ = installed
    run = lambda *a: subprocess.run(
        [str(drillsim), "--lang", "en", *a],
        cwd=tmp_path,  # noqa: E731
        capture_output=True,
        text=True,
        timeout=120,
    )
    listed = json.loads(run("list", "--json").stdout)
    ids = {s["id"] for s in listed}
    assert {"payment_outage", "warehouse_fire", "service_desk_shift"} <= ids
    assert all("/site-packages/drillsim/scenarios/" in s["path"] for s in listed)
    for sid in sorted(ids):
        out = run("run", sid, "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["scenario"] == sid

    # a user's own scenario file, its procedure in a procedures/ folder beside it
    (tmp_path / "procedures").mkdir()
    shutil.copy(
        ROOT / "scenarios" / "procedures" / "abnormal_event_000.yaml", tmp_path / "procedures"
    )
    text = (ROOT / "scenarios" / "payment_outage.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        text.replace("id: payment_outage", "id: mine"), encoding="utf-8"
    )
    out = run("run", "mine.yaml", "--log", "mine.jsonl", "--json")
    assert out.returncode == 0, out.stderr
    header = json.loads((tmp_path / "mine.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert header["scenario_ref"] == str(tmp_path / "mine.yaml")
    assert [f["path"] for f in header["files"]] == [
        str(tmp_path / "mine.yaml"),
        str(tmp_path / "procedures" / "abnormal_event_000.yaml"),
    ]
    # scored from another folder, and told when a file changed since
    other = tmp_path / "elsewhere"
    other.mkdir()
    scored = subprocess.run(
        [str(drillsim), "--lang", "en", "score", str(tmp_path / "mine.jsonl"), "--json"],
        cwd=other,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert scored.returncode == 0 and json.loads(scored.stdout) == json.loads(out.stdout)
    assert "changed" not in scored.stderr
    with open(tmp_path / "procedures" / "abnormal_event_000.yaml", "a", encoding="utf-8") as f:
        f.write("# edited after the run\n")
    scored = subprocess.run(
        [str(drillsim), "score", str(tmp_path / "mine.jsonl")],
        cwd=other,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "procedures/abnormal_event_000.yaml has changed since the run" in scored.stderr

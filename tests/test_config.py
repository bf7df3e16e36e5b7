"""Settings: defaults, .env, and one clear line naming the key on a wrong value."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings

ENV_EXAMPLE = Path(__file__).parent.parent / ".env.example"


def test_defaults_are_the_documented_ones(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.timezone == "Asia/Ho_Chi_Minh" and s.reminder_hour == 8
    assert s.offsets == [7, 3, 1, 0] and s.database_url.startswith("sqlite+aiosqlite:///")
    assert "pdf" in s.allowed_extensions and s.max_file_bytes == 20 * 1024 * 1024


def test_every_setting_is_documented_in_env_example():
    documented = {line.split("=")[0] for line in ENV_EXAMPLE.read_text().splitlines()
                  if line.startswith("DONDOC_")}
    assert documented == {f"DONDOC_{name.upper()}" for name in Settings.model_fields}


@pytest.mark.parametrize("key,value", [
    ("DONDOC_TIMEZONE", "Mars/Olympus"),
    ("DONDOC_REMINDER_HOUR", "25"),
    ("DONDOC_REMINDER_OFFSETS", "7,ba"),
    ("DONDOC_DATABASE_URL", "mysql://x"),
    ("DONDOC_LOG_LEVEL", "LOUD"),
    ("DONDOC_ADMIN_IDS", "12,abc"),
])
def test_a_wrong_value_names_its_key(monkeypatch, tmp_path, key, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert key in str(exc.value) and "\n" not in str(exc.value)


def test_env_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DONDOC_REMINDER_HOUR=7\n")
    assert load_settings().reminder_hour == 7


def test_run_without_token_points_to_the_demo(tmp_path):
    out = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, capture_output=True,
                         text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert out.returncode == 2
    assert out.stdout.strip().count("\n") == 0 and "dondoc demo" in out.stdout


def test_start_up_with_a_wrong_value_prints_one_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "DONDOC_REMINDER_HOUR": "x",
                              "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert out.returncode != 0
    lines = (out.stderr + out.stdout).strip().splitlines()
    assert len(lines) == 1 and "DONDOC_REMINDER_HOUR" in lines[0]

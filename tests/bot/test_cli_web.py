"""`aspirasi web link --as ID` prints a working login link for people with a web role; web.* is validated."""

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import SettingsError, load_config
from services.access.weblogin import read_token, signing_key
from tests.conftest import ROOT


def _config(tmp_path: Path, web: dict, admin_ids: list[int]) -> Path:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["web"] = {**data["web"], **web}
    data["telegram"]["admin_ids"] = admin_ids
    data["data_dir"] = str(tmp_path / "data")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_link_for_an_admin_and_a_clear_no_for_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASPIRASI_WEB_SECRET", raising=False)
    monkeypatch.setenv("ASPIRASI_CONFIG", str(_config(tmp_path, {"base_url": "https://aspirasi.example.id/"}, [77])))
    result = CliRunner().invoke(app, ["web", "link", "--as", "77"])
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://aspirasi.example.id/masuk/")
    key = signing_key(tmp_path / "data")
    assert (tmp_path / "data" / "web_secret.key").stat().st_mode & 0o077 == 0  # owner-only
    assert read_token(key=key, token=link.rsplit("/", 1)[1])[0] == 77
    refused = CliRunner().invoke(app, ["web", "link", "--as", "78"])
    assert refused.exit_code == 2 and "telegram.staff_ids" in refused.output


@pytest.mark.parametrize(("web", "key"), [
    ({"port": 70000}, "web.port"), ({"base_url": "aspirasi.local"}, "web.base_url"),
    ({"session_hours": 0}, "web.session_hours"), ({"tamu": 1}, "web.tamu"),
])
def test_wrong_web_settings_name_the_key(tmp_path: Path, web: dict, key: str) -> None:
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        load_config(_config(tmp_path, web, []))


def test_aspirasi_web_serves_the_pages_alone(tmp_path: Path) -> None:
    port = _free_port()
    config = _config(tmp_path, {"port": port, "base_url": f"http://127.0.0.1:{port}"}, [77])
    env = {**os.environ, "ASPIRASI_CONFIG": str(config), "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
           "ASPIRASI_WEB_SECRET": "a-test-key"}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "aspirasi"), "web"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(1200):  # the first start imports the NLP stack; wait until it answers
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                try:
                    if client.get("/").status_code == 401:
                        break
                except httpx.ConnectError:
                    time.sleep(0.1)
            link = subprocess.run([str(ROOT / ".venv" / "bin" / "aspirasi"), "web", "link", "--as", "77"], env=env,
                                  cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
            path = link.removeprefix(f"http://127.0.0.1:{port}")
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
            assert csrf
            client.post(path, data={"csrf": csrf.group(1)})
            summary = client.get("/")
            assert summary.status_code == 200 and "Masuk sebagai admin" in summary.text
    finally:
        server.terminate()
        server.wait()
        if server.stderr:
            server.stderr.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_readme_link_example_works_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"\.venv/bin/aspirasi web link --as (\d+)", readme)
    assert example, "the README shows `aspirasi web link --as ID`"
    monkeypatch.setenv("ASPIRASI_CONFIG", str(_config(tmp_path, {}, [])))  # the project's config, own data_dir
    result = CliRunner().invoke(app, ["web", "link", "--as", example.group(1)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("http://127.0.0.1:8080/masuk/")


def test_operator_errors_are_in_one_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASPIRASI_CONFIG", str(_config(tmp_path, {}, [])))
    refused = CliRunner().invoke(app, ["web", "link", "--as", "123456789"])
    assert refused.exit_code == 2 and "has no web role" in refused.output and "telegram.admin_ids" in refused.output
    assert not re.search(r"\b(Maaf|hanya|untuk|dan)\b", refused.output), refused.output  # no Indonesian mixed in


def test_role_changes_in_the_config_file_apply_without_a_restart(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    from bot.serve import build_web
    from bot.settings import load_settings
    from services.access.weblogin import make_link

    path = _config(tmp_path, {}, [77])
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'web.db'}")
    monkeypatch.setenv("ASPIRASI_WEB_SECRET", "a-test-key")
    settings = load_settings(path)
    web = build_web(settings)

    def log_in(client: TestClient, user_id: int) -> int:
        link = make_link(config=load_config(path), key="a-test-key", user_id=user_id)
        page = client.get(link.removeprefix("http://127.0.0.1:8080"))
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        if csrf is None:
            return page.status_code
        return client.post(link.removeprefix("http://127.0.0.1:8080"), data={"csrf": csrf.group(1)},
                           follow_redirects=False).status_code

    with TestClient(web, base_url="http://127.0.0.1:8080") as before, \
            TestClient(web, base_url="http://127.0.0.1:8080") as after:
        assert log_in(before, 77) == 303 and before.get("/").status_code == 200
        changed = _config(tmp_path, {}, [78])  # 77 is no admin any more, 78 is
        stat = changed.stat()
        os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        assert before.get("/").status_code == 401  # the running page follows the file
        assert log_in(after, 78) == 303 and "Masuk sebagai admin" in after.get("/").text
    web.state.web.engine.dispose()

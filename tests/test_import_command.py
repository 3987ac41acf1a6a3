"""`lpa-gateway import FILE` as an operator runs it: in production, a summary that names
lines, pointers and codes only, a progress bar only on a terminal, and a file it cannot read
refused in one line with exit status 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli import main
from app.domain.store_format import MAX_LINE
from app.import_command import run
from app.settings import Settings
from tests.store_json import lines, store_lpa

pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LPA_GATEWAY_DEV_KEYS_DIR", str(tmp_path / "dev-keys"))
    for name in ("ENV", "DATABASE_URL", "CLIENT_KEYS_FILE"):
        monkeypatch.delenv(f"LPA_GATEWAY_{name}", raising=False)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_production_imports_and_a_second_run_finds_everything_present(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_ENV", "production")
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", database_url)
    source = tmp_path / "lpas.jsonl"
    source.write_bytes(lines(store_lpa(1), store_lpa(2)))

    assert main(["import", str(source)]) == 0
    first = capsys.readouterr()
    assert first.out == "imported 2, already present 0, refused 0\n"
    assert first.err == ""  # not a terminal: no progress bar

    assert main(["import", str(source)]) == 0
    assert capsys.readouterr().out == "imported 0, already present 2, refused 0\n"
    assert main(["seed"]) == 2  # the twin: production refuses demo data, not an import


def test_refused_lines_are_listed_and_the_exit_status_is_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", database_url)
    broken = store_lpa(2)
    broken["donor"]["dateOfBirth"] = "Dora's birthday"
    source = tmp_path / "lpas.jsonl"
    source.write_bytes(lines(store_lpa(1), b"{", broken))

    assert main(["import", str(source)]) == 1
    assert capsys.readouterr().out == (
        "line 2: NOT_JSON\n"
        "line 3: /donor/dateOfBirth INVALID_VALUE\n"
        "imported 1, already present 0, refused 2\n"
    )


def test_an_overlong_line_is_refused_and_the_lines_after_it_keep_their_numbers(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", database_url)
    source = tmp_path / "lpas.jsonl"
    source.write_bytes(lines(store_lpa(1), b'{"uid": "' + b"x" * (3 * MAX_LINE) + b'"}', b"[]"))
    assert main(["import", str(source)]) == 1
    assert capsys.readouterr().out == (
        "line 2: TOO_LONG\nline 3: NOT_AN_OBJECT\nimported 1, already present 0, refused 2\n"
    )


@pytest.mark.parametrize("name", ["missing.jsonl", "."])
def test_a_file_that_cannot_be_read_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_ENV", "production")
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert main(["import", str(tmp_path / name)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: cannot read {tmp_path / name}: ")
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1:1/gateway", "the database is out of reach"),
        ("sqlite+aiosqlite:///{tmp}/never-migrated.db", "is it migrated (lpa-gateway migrate)?"),
    ],
)
def test_a_database_that_cannot_take_the_import_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    message: str,
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", url.format(tmp=tmp_path))
    source = tmp_path / "lpas.jsonl"
    source.write_bytes(lines(store_lpa(1)))
    assert main(["import", str(source)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_a_terminal_gets_a_progress_bar_that_ends_full(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "lpas.jsonl"
    source.write_bytes(lines(*(store_lpa(n) for n in range(3)), b"", b"[]"))
    settings = Settings(env="development", database_url=database_url)
    out, err = io.StringIO(), Terminal()

    assert run(source, settings, out, err) == 1

    drawn = err.getvalue()
    assert drawn.startswith("\r[")
    assert drawn.endswith("] 4/4\n")  # four lines that are not blank
    assert "#" * 30 in drawn
    assert out.getvalue() == "line 5: NOT_AN_OBJECT\nimported 3, already present 0, refused 1\n"

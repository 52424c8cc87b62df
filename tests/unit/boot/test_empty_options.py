"""An option given empty (`--database-url "$URL"` with $URL unset) is refused in
one sentence; the command never runs on the built-in database instead."""

import pytest

from snorq_desktop.boot.cli import main


@pytest.mark.parametrize(
    "words",
    [
        ["sync", "--once", "--database-url", ""],
        ["--database-url", " ", "db", "status"],
        ["db", "upgrade", "--listen-url", ""],
    ],
)
def test_an_empty_address_is_refused_before_anything_opens(tmp_path, capsys, words):
    with pytest.raises(SystemExit) as ended:
        main(["--home", str(tmp_path), *words])
    assert ended.value.code == 2
    error = capsys.readouterr().err
    assert "is empty: give a postgresql://… address, or leave the option out." in error
    assert not (tmp_path / "data").exists()  # no built-in database was made

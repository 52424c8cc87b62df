"""A number of seconds that makes no sense is refused by the command line in
one sentence, before anything opens (they were taken silently: `--every` with
`--once`, a negative or endless `--timeout`)."""

import pytest

from snorq_desktop.boot.cli import main


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["login", "--timeout", "-1"], "'-1' is not a number of seconds above 0"),
        (["login", "--timeout", "inf"], "'inf' is not a number of seconds above 0"),
        (["sync", "--forever", "--every", "0"], "'0' is not a number of seconds above 0"),
        (["sync", "--forever", "--every", "soon"], "'soon' is not a number of seconds above 0"),
    ],
)
def test_seconds_that_make_no_sense_are_refused(tmp_path, capsys, words, said):
    with pytest.raises(SystemExit) as ended:
        main(["--home", str(tmp_path), *words])
    assert ended.value.code == 2
    assert said in capsys.readouterr().err


def test_every_without_forever_is_refused_before_the_pass(tmp_path, capsys):
    code = main(["--home", str(tmp_path), "sync", "--once", "--every", "3"])
    assert code != 0
    assert "--every is the pause between passes: it goes with --forever." in (
        capsys.readouterr().err
    )

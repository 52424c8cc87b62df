"""A file written out for the system's viewer stays in its folder, whatever the database says."""

import pytest

from snorq_desktop.domain.attachments import viewer_copy_path


@pytest.mark.parametrize(
    ("message_id", "name"),
    [
        ("../../..", "invoice.pdf"),
        ("/etc", "passwd"),
        ("m1", "../../.bashrc"),
        ("m1", "..\\..\\evil.exe"),
        ("..", ".."),
        ("m1", "/absolute/path.png"),
        ("m1", ""),
        ("m1", "a\x00b\n.txt"),
    ],
)
def test_a_hostile_id_or_name_stays_inside_the_folder(tmp_path, message_id, name):
    folder = tmp_path / "files"
    target = viewer_copy_path(folder, message_id, name)
    assert target.resolve().is_relative_to(folder.resolve())
    assert target.parent.parent == folder
    assert target.name not in {"", ".", ".."}
    assert "/" not in target.name and "\\" not in target.name and "\x00" not in target.name


def test_an_ordinary_name_is_kept(tmp_path):
    assert viewer_copy_path(tmp_path, "m1", "Invoice 12.pdf").name == "Invoice 12.pdf"


def test_two_messages_never_share_a_folder(tmp_path):
    assert (
        viewer_copy_path(tmp_path, "m1", "a.png").parent
        != viewer_copy_path(tmp_path, "m2", "a.png").parent
    )


@pytest.mark.parametrize(
    ("name", "extension"),
    [("é" * 250 + ".pdf", ".pdf"), ("A" * 5000 + ".txt", ".txt"), ("日本語" * 100, "")],
)
def test_a_very_long_name_fits_the_file_system_and_keeps_its_extension(tmp_path, name, extension):
    """250 letters "é" are 500 bytes: a cut by characters left a name the file
    system refuses (the click on the card ended in "Something went wrong")."""
    target = viewer_copy_path(tmp_path, "m1", name)
    assert len(target.name.encode("utf-8")) <= 255
    assert target.suffix == extension
    assert target.name.startswith(name[:10])
    target.parent.mkdir(parents=True)
    target.write_bytes(b"hello")
    assert target.read_bytes() == b"hello"


def test_the_viewers_copy_has_no_invisible_reordering(tmp_path):
    """The system's viewer decides by the name's end: "invoice<U+202E>fdp.exe" is
    an .exe whatever the card showed; the copy is named as it reads, invoicefdp.exe."""
    assert viewer_copy_path(tmp_path, "m1", "invoice\u202efdp.exe").name == "invoicefdp.exe"
    assert viewer_copy_path(tmp_path, "m1", "\u200f\u202b\u2066").name == "file"

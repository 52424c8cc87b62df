"""The demo's sample files are real files of their kind."""

import struct
import zlib

from snorq_desktop.demo.files import document, picture, sample
from snorq_desktop.domain.enums import ContentType


def test_the_picture_is_a_valid_png():
    data = picture(40, 30, seed=3)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", data[8:16])
    width, height = struct.unpack(">II", data[16:24])
    assert (kind, length, width, height) == (b"IHDR", 13, 40, 30)
    idat = data.index(b"IDAT")
    size = struct.unpack(">I", data[idat - 4 : idat])[0]
    assert len(zlib.decompress(data[idat + 4 : idat + 4 + size])) == 30 * (1 + 40 * 3)


def test_the_document_is_a_pdf_whose_cross_reference_points_at_its_objects():
    data = document("Invoice 2041")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    start = int(data.split(b"startxref\n")[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref")
    offsets = [int(line[:10]) for line in data[start:].split(b"\n")[3:8]]
    assert all(data[o:].startswith(b"%d 0 obj" % (n + 1)) for n, o in enumerate(offsets))
    assert b"(Invoice 2041)" in data


def test_every_media_kind_but_a_location_has_a_sample():
    for kind in (ContentType.IMAGE, ContentType.VIDEO, ContentType.AUDIO, ContentType.FILE):
        found = sample(kind, "x.bin", 1)
        assert found is not None and len(found[1]) > 0
    assert sample(ContentType.LOCATION, "geo:1,2", 1) is None

"""Small but real sample files for the demo's conversations: a picture opens in
the system's image viewer and a PDF in its reader, with sizes like the real thing."""

import random
import struct
import zlib

from snorq_desktop.domain.enums import ContentType


def picture(width: int = 320, height: int = 240, seed: int = 0) -> bytes:
    """A PNG of a soft two-colour gradient."""
    rng = random.Random(seed)
    top = [rng.randint(120, 255) for _ in range(3)]
    bottom = [rng.randint(40, 200) for _ in range(3)]
    rows = bytearray()
    for y in range(height):
        share = y / max(1, height - 1)
        colour = bytes(int(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        rows += b"\x00" + colour * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


def document(title: str) -> bytes:
    """A one-page PDF saying ``title``."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(out)


def sample(content_type: ContentType, name: str, seed: int) -> tuple[str, bytes] | None:
    """(MIME type, bytes) of a demo file of this kind; None for a location."""
    if content_type in (ContentType.IMAGE, ContentType.STICKER):
        size = 160 if content_type is ContentType.STICKER else 480
        return "image/png", picture(size, size * 3 // 4, seed)
    if content_type is ContentType.FILE:
        return "application/pdf", document(name.rsplit(".", 1)[0].replace("-", " ").title())
    if content_type in (ContentType.VIDEO, ContentType.AUDIO):
        # Not playable: stand-ins of a realistic size for the card.
        rng = random.Random(seed)
        size = 2_400_000 if content_type is ContentType.VIDEO else 180_000
        mime = "video/mp4" if content_type is ContentType.VIDEO else "audio/ogg"
        return mime, rng.randbytes(size)
    return None

"""What each platform accepts, said before anything is sent; template filling."""

import pytest

from snorq_desktop.domain.attachments import (
    KEEP_AT_MOST,
    MB,
    FileToSend,
    MediaToFetch,
    content_type_for,
    file_name_for,
    human_size,
    refusal,
    takes_caption,
)
from snorq_desktop.domain.enums import ContentType, Platform
from snorq_desktop.domain.templates import MessageTemplate, TemplateToSend


def file(name: str, mime: str, size: int, platform: Platform = Platform.WHATSAPP) -> FileToSend:
    return FileToSend(name, mime, bytes(size), content_type_for(platform, mime))


@pytest.mark.parametrize(
    ("platform", "mime", "kind"),
    [
        (Platform.WHATSAPP, "image/jpeg", ContentType.IMAGE),
        (Platform.WHATSAPP, "image/gif", ContentType.FILE),  # WhatsApp shows jpeg/png only
        (Platform.WHATSAPP, "image/webp", ContentType.STICKER),
        (Platform.FACEBOOK, "image/gif", ContentType.IMAGE),
        (Platform.TIKTOK, "video/mp4", ContentType.VIDEO),
        (Platform.FACEBOOK, "audio/ogg", ContentType.AUDIO),
        (Platform.WHATSAPP, "application/pdf", ContentType.FILE),
    ],
)
def test_how_a_file_is_sent_depends_on_platform_and_type(platform, mime, kind):
    assert content_type_for(platform, mime) is kind


def test_each_platforms_limits_are_said_in_a_sentence():
    assert refusal(Platform.WHATSAPP, file("a.jpg", "image/jpeg", 5 * MB)) is None
    assert refusal(Platform.WHATSAPP, file("a.jpg", "image/jpeg", 5 * MB + 1)) == (
        "“a.jpg” is 5.0 MB; WhatsApp accepts images up to 5.0 MB."
    )
    assert refusal(Platform.FACEBOOK, file("v.mp4", "video/mp4", 26 * MB, Platform.FACEBOOK))
    tiktok_pdf = file("t.pdf", "application/pdf", 10, Platform.TIKTOK)
    assert refusal(Platform.TIKTOK, tiktok_pdf) == (
        "TikTok accepts only images here; “t.pdf” is not one."
    )
    # WhatsApp takes 100 MB documents; the app keeps 25 MB.
    big = file("catalogue.pdf", "application/pdf", KEEP_AT_MOST + 1)
    assert "SNORQ sends files up to 25.0 MB" in (refusal(Platform.WHATSAPP, big) or "")
    assert refusal(Platform.WHATSAPP, file("e.txt", "text/plain", 0)) == "“e.txt” is empty."


def test_captions_travel_with_whatsapp_pictures_and_documents_only():
    assert takes_caption(Platform.WHATSAPP, ContentType.IMAGE)
    assert not takes_caption(Platform.WHATSAPP, ContentType.AUDIO)
    assert not takes_caption(Platform.FACEBOOK, ContentType.IMAGE)
    assert not takes_caption(Platform.TIKTOK, ContentType.IMAGE)


def test_sizes_and_names_for_cards():
    assert [human_size(n) for n in (10, 2048, 3 * MB)] == ["10 B", "2 KB", "3.0 MB"]
    media = MediaToFetch("c1234567890abcdef", "id", "c", None, "image/jpeg", ContentType.IMAGE)
    assert file_name_for(media) == "photo-90abcdef.jpg"


def test_templates_fill_their_numbered_values():
    template = MessageTemplate("t", "en_US", "UTILITY", "Hi {{1}}, {{ 2 }} is ready. {{1}}!")
    assert template.parameter_count == 2
    assert template.render(("Ana", "#7")) == "Hi Ana, #7 is ready. Ana!"
    assert template.missing(("Ana",)) == "Fill in value 2 of the template “t”."
    assert template.missing(("Ana", "  ")) == "Fill in value 2 of the template “t”."
    assert template.missing(("Ana", "#7")) is None
    sent = TemplateToSend("t", "en_US", ("Ana", "#7"))
    assert TemplateToSend.from_json(sent.to_json()) == sent

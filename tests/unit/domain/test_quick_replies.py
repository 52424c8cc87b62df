"""A quick reply's text as it goes to a customer: {name} and {first_name} filled,
never a brace left over when the name is unknown or a phone number."""

import pytest

from snorq_desktop.domain.quick_replies import QuickReplyRefused, clean_shortcut, fill


@pytest.mark.parametrize(
    ("name", "filled"),
    [
        ("Ana Souza", "Hi Ana, thanks! Best, the team of Ana Souza's shop."),
        ("  Ana   Souza ", "Hi Ana, thanks! Best, the team of Ana Souza's shop."),
        ("+34 600 000 000", "Hi, thanks! Best, the team of's shop."),
        (None, "Hi, thanks! Best, the team of's shop."),
        ("张伟", "Hi 张伟, thanks! Best, the team of 张伟's shop."),
    ],
)
def test_the_values_are_filled_from_the_contacts_name(name, filled):
    text = "Hi {first_name}, thanks! Best, the team of {name}'s shop."
    assert fill(text, name) == filled


def test_other_braces_are_left_as_written():
    assert fill("Order {order} for {name}", "Leo Park") == "Order {order} for Leo Park"


@pytest.mark.parametrize(("typed", "stored"), [("/price", "price"), (" / Preis_2 ", "Preis_2")])
def test_a_shortcut_is_stored_without_its_slash(typed, stored):
    assert clean_shortcut(typed) == stored


def test_a_shortcut_with_a_slash_inside_is_refused():
    with pytest.raises(QuickReplyRefused, match="letters, digits, - and _ only"):
        clean_shortcut("/a/b")

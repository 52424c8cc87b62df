"""An assignment's notice (#17.2) names two ids, the conversation and the
person given it; anything else in its place is dropped, never an error."""

import json

from snorq_desktop.domain.assignments import Teammate, assigned_text
from snorq_desktop.domain.inbox import Changes
from snorq_desktop.domain.team_notice import encode_notice, read_notice


def test_an_assignment_travels_as_two_ids():
    changes = Changes(conversations=frozenset({"c1"}), assignments=(("c1", "u2"),))
    payload = encode_notice("org", changes, "app-1")
    assert json.loads(payload)["as"] == [["c1", "u2"]]
    assert read_notice(payload) == ("org", "app-1", changes)


def test_a_forged_assignment_is_dropped():
    for forged in (
        "u2",
        [["c1"]],
        [["c1", 5]],
        [["c1", "u2", "more"]],
        [["c1", "x" * 65]],
        {"c1": "u2"},
    ):
        payload = json.dumps({"o": "org", "from": "x", "c": ["c1"], "as": forged})
        _, _, changes = read_notice(payload)
        assert changes == Changes(conversations=frozenset({"c1"})), forged


def test_the_header_says_who_is_on_it():
    bo = Teammate("u2", "Bo")
    assert assigned_text(None, "u1") == "Unassigned"
    assert assigned_text(bo, "u1") == "Assigned to Bo"
    assert assigned_text(bo, "u2") == "Assigned to you"

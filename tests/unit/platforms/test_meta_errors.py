import json

import httpx
import pytest

from snorq_desktop.platforms.errors import (
    PermanentFailure,
    RateLimited,
    TemporaryFailure,
    TokenExpired,
)
from snorq_desktop.platforms.meta_api import UsageMeter, raise_for_graph_error


def response(status: int, body, headers=None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers or {})


def error(code: int, message: str = "x", **extra) -> dict[str, object]:
    return {"error": {"message": message, "type": "OAuthException", "code": code, **extra}}


def test_meta_errors_are_sorted_by_what_to_do():
    with pytest.raises(TokenExpired):
        raise_for_graph_error(response(401, error(190, error_subcode=463)))
    with pytest.raises(RateLimited) as limited:
        raise_for_graph_error(response(429, error(130429), {"Retry-After": "7"}))
    assert limited.value.retry_after == 7
    with pytest.raises(PermanentFailure, match="24 hours"):
        raise_for_graph_error(
            response(400, error(131047, error_data={"details": "more than 24 hours"}))
        )
    with pytest.raises(TemporaryFailure):
        raise_for_graph_error(response(500, error(2)))
    with pytest.raises(TemporaryFailure):
        raise_for_graph_error(httpx.Response(502, content=b"<html>bad gateway"))
    assert raise_for_graph_error(response(200, {"success": True})) == {"success": True}


def test_business_use_case_usage_tells_how_long_to_wait():
    usage = {
        "1143561907842211": [
            {
                "type": "messenger",
                "call_count": 96,
                "total_cputime": 10,
                "total_time": 12,
                "estimated_time_to_regain_access": 2,
            }
        ]
    }
    meter = UsageMeter()
    meter.read(response(200, {}, {"X-Business-Use-Case-Usage": json.dumps(usage)}))
    assert meter.percent == 96
    assert meter.wait() == 120
    meter.read(response(200, {}, {"X-App-Usage": json.dumps({"call_count": 10, "total_time": 5})}))
    assert meter.wait() == 0

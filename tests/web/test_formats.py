"""Numbers and dates on the web page read as in the bot: a decimal comma with its unit, long dates in WITA."""

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from services.core.formats import decimal
from tests.web.seed import STAFF, City, logged_in


@pytest.fixture
def staff(city: City) -> Iterator[TestClient]:
    yield from logged_in(city, STAFF)


def test_median_days_have_a_decimal_comma_and_their_unit(city: City, staff: TestClient) -> None:
    page = staff.get("/").text
    median = re.search(r"Median hari sampai jawaban pertama</dt><dd>([^<]*)</dd>", page)
    assert median, page
    assert re.fullmatch(r"\d+,\d hari", median.group(1)), median.group(1)


def test_decimals_as_indonesian_readers_write_them() -> None:
    assert [decimal(0), decimal(2.5), decimal(1234.56)] == ["0,0", "2,5", "1.234,6"]

"""The staff statistics page: who may open it, what it shows, and its XLSX download."""

import io
import re
from datetime import date

import openpyxl
import pytest

from tests.factories import CaptiveFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/statistics/"


@pytest.fixture
def captives(states):
    for day in [date(2025, 1, 5), date(2025, 1, 9), date(2025, 2, 1)]:
        CaptiveFactory(nationality=states["RUS"], captured_on=day)
    CaptiveFactory(nationality=states["PRK"], captured_on=date(2025, 2, 2), health="sick")


@pytest.mark.parametrize("role", ["caseworker", "analyst", "supervisor"])
def test_every_staff_role_that_views_captives_sees_the_page(client, captives, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    drawn = [table for table, _chart in response.context["tables"] if table.rows]
    assert html.count('<svg class="statistics-chart"') == len(drawn)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script (CSP forbids it)"
    assert 'id="statistics-nationality"' in html
    assert "4 captives in this selection." in html
    nationality = next(t for t, _chart in response.context["tables"] if t.key == "nationality")
    assert [(row.key, row.counts) for row in nationality.rows] == [("RUS", (3,)), ("PRK", (1,))]


def test_the_front_page_links_to_it(client, analyst):
    client.force_login(analyst)
    assert f'href="{URL}"' in client.get("/admin/").content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, captives):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(URL + "?download=xlsx").status_code == 302


def test_staff_without_a_role_are_refused(client, captives):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?download=xlsx").status_code == 403


def test_the_filters_narrow_the_page(client, analyst, captives, states):
    client.force_login(analyst)
    response = client.get(URL, {"captured_from": "2025-01-09", "captured_to": "2025-02-01"})
    assert "2 captives in this selection." in response.content.decode()
    other_power = client.get(URL, {"detaining_power": states["KOR"].pk})
    assert "0 captives in this selection." in other_power.content.decode()


def test_a_reversed_range_is_an_error_not_a_crash(client, analyst, captives):
    client.force_login(analyst)
    response = client.get(URL, {"captured_from": "2025-03-01", "captured_to": "2025-01-01"})
    assert response.status_code == 200
    assert "The start of the range is after its end." in response.content.decode()
    assert "captives in this selection" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"captured_from": "2025-03-01", "captured_to": "2025-01-01"},
        {"captured_from": "junk"},
        {"detaining_power": "999999"},
    ],
)
def test_an_xlsx_with_invalid_filters_is_refused_not_the_whole_register(
    client, analyst, captives, query
):
    """A user who asked for a selection must never receive every captive's numbers instead."""
    client.force_login(analyst)
    response = client.get(URL, {**query, "download": "xlsx"})
    assert response.status_code == 400
    assert "These filters are not valid" in response.content.decode()


def test_the_xlsx_has_a_sheet_per_table_with_the_same_numbers(client, caseworker, captives):
    client.force_login(caseworker)
    page = client.get(URL, {"captured_from": "2025-01-06"})
    response = client.get(URL, {"captured_from": "2025-01-06", "download": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="statistics-')

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    tables = [table for table, _chart in page.context["tables"]]
    assert workbook.sheetnames == [table.sheet_name for table in tables]
    for table in tables:
        sheet = workbook[table.sheet_name]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == (table.label_heading, *table.columns)
        assert rows[1:] == [(row.label, *row.counts) for row in table.rows]
    captures = list(workbook["Captures per month"].iter_rows(values_only=True))
    assert captures[1:] == [("2025-01", 1), ("2025-02", 2)]


def test_register_text_in_the_xlsx_is_never_a_formula(client, caseworker, states):
    """A state's name is register text: like every export, a cell beginning with = + - @ gets a
    leading apostrophe (found by the outside attack)."""
    states["PRK"].name = '=HYPERLINK("http://evil.example","x")'
    states["PRK"].save()
    CaptiveFactory(nationality=states["PRK"], captured_on=date(2025, 2, 2))
    client.force_login(caseworker)
    response = client.get(URL, {"download": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_a_long_label_is_wrapped_whole_in_the_chart_never_cut(client, analyst, states):
    """ "Democratic People's Republic of Korea" was drawn "Democratic People's Republic of Kor…"."""
    from reports.charts import LABEL_ROOM, label_lines, text_width

    CaptiveFactory(nationality=states["PRK"], captured_on=date(2025, 2, 2))
    client.force_login(analyst)
    html = client.get(URL).content.decode()
    chart = html[html.index('aria-labelledby="chart-nationality"') :]
    chart = chart[: chart.index("</svg>")]
    labels = re.findall(r'text-anchor="end">([^<]*)<', chart)
    assert "…" not in "".join(labels)
    assert " ".join(labels).replace("&#x27;", "'") == "Democratic People's Republic of Korea"
    for label in ["Health report, seriously wounded or sick (Art. 122)", "조선민주주의인민공화국"]:
        lines = label_lines(label)
        assert " ".join(lines) == label or "".join(lines) == label
        assert all(text_width(line) <= LABEL_ROOM for line in lines)

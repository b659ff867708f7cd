"""What an organiser sees of units and lagging communes (issue 11): the units page, expected
counts, the sub-unit table sorted and filtered without JavaScript, at 360 and 1280 px, axe-clean."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.browser

from tests.browser.test_staff_and_reports import DESKTOP, PHONE, check, people, sign_in  # noqa: F401


def test_an_organiser_adds_a_special_zone_gives_counts_and_finds_the_lagging_units(
        live_server, phone_page, people, check, screenshot):  # noqa: F811
    organiser = people.add("Hà Tổ Chức", "HN", role="organiser", scope="HN",
                           audience="civil-servant")
    for n, (unit, days_ago) in enumerate([("HN-HK", 0), ("HN-HK", 3), ("HN-BD", None),
                                          ("HN-BD", None), ("HN-SS", 2)]):
        people.add(f"Người Học {n}", unit, certified_days_ago=days_ago)
    page = phone_page  # the page has no script of its own: sorting and filters are links
    sign_in(page, live_server, organiser)

    page.goto(live_server + "/reports/")
    page.locator(".report-nav").get_by_role("link", name="Đơn vị", exact=True).click()
    assert "/reports/manage-units/" in page.url
    check(page, "units page")
    page.fill("#name", "Đặc khu Thử Nghiệm")
    page.fill("#code", "HN-DK")
    page.select_option("#kind", "special-zone")
    page.fill("#expected_residents", "12.000")  # a dot: refused, nothing lost
    page.get_by_role("button", name="Thêm đơn vị").click()
    assert page.locator("#expected_residents-error").inner_text().startswith("“12.000”")
    assert page.input_value("#name") == "Đặc khu Thử Nghiệm"
    check(page, "units page with an error")
    page.fill("#expected_residents", "12000")
    page.fill("#expected_civil_servants", "30")
    page.get_by_role("button", name="Thêm đơn vị").click()
    assert page.get_by_role("row", name=re.compile("Đặc khu Thử Nghiệm")).is_visible()
    screenshot(page, "units-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "units-desktop")
    page.set_viewport_size(PHONE)

    page.goto(live_server + "/reports/manage-units/HN-HK/")
    page.fill("#expected_residents", "2")
    page.fill("#expected_civil_servants", "0")
    page.get_by_role("button", name="Lưu").click()
    page.goto(live_server + "/reports/manage-units/HN-BD/")
    page.fill("#expected_residents", "40")
    page.fill("#expected_civil_servants", "5")
    page.get_by_role("button", name="Lưu").click()

    page.goto(live_server + "/reports/units/HN/")
    table = page.locator("#sub-unit-table")
    first = table.locator("tbody tr").first.locator("th").inner_text()
    assert first in ("Phường Ba Đình", "Đặc khu Thử Nghiệm")  # 0% of the expected
    assert table.locator("th[aria-sort]").inner_text().startswith("Tỷ lệ")
    check(page, "dashboard, lagging first")
    table.get_by_role("link", name=re.compile("^Còn thiếu")).click()
    assert "sort=gap" in page.url
    assert page.locator("#sub-unit-table tbody tr").first.locator("th").inner_text() \
        == "Đặc khu Thử Nghiệm"  # 12,030 to go
    page.fill("#below", "50")
    page.locator("form.filter button").click()
    names = page.locator("#sub-unit-table tbody th").all_inner_texts()
    assert "Phường Hoàn Kiếm" not in names and "Phường Ba Đình" in names  # HK: 2 of 2
    page.set_viewport_size(DESKTOP)
    main_width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert main_width > 1000, main_width  # the desktop's width, not a 700 px column
    screenshot(page, "dashboard-desktop")
    page.emulate_media(media="print")
    assert not page.locator("form.filter").is_visible()
    screenshot(page, "dashboard-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    screenshot(page, "dashboard-phone")

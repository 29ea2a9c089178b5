"""Dates and durations against Dataview and Luxon (corpus cases plus our own)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from query.errors import EvaluationError
from query.temporal.dates import (
    add_duration,
    date_field,
    date_from_epoch_ms,
    date_shorthand,
    date_to_corpus,
    duration_as,
    duration_field,
    duration_millis,
    format_date,
    format_duration,
    human_duration,
    local_date,
    normalize_duration,
    parse_date,
    parse_date_with_format,
    parse_duration,
    start_of_day,
    subtract_dates,
    to_local,
)
from query.values import Date, Duration

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


def d(text: str) -> Date:
    parsed = parse_date(text, UTC)
    assert parsed is not None, text
    return parsed


def dur(text: str) -> Duration:
    parsed = parse_duration(text)
    assert parsed is not None, text
    return parsed


NOW = d("2024-03-17T13:45:30.250")


@pytest.mark.parametrize(
    ("text", "corpus", "zone"),
    [
        ("2021-11-11", "2021-11-11", "local"),
        ("2021-04", "2021-04-01", "local"),
        ("2021-09-20T20:17", "2021-09-20T20:17:00", "local"),
        ("2021-09-20T20", "2021-09-20T20:00:00", "local"),
        ("1984-08-15T12:42:59", "1984-08-15T12:42:59", "local"),
        ("1984-08-15T12:42:59.123", "1984-08-15T12:42:59.123", "local"),
        ("2021-04-18T04:19:35.000", "2021-04-18T04:19:35", "local"),
        ("1984-08-15T12:40:50-07:00", "1984-08-15T12:40:50-07:00", "UTC-7"),
        ("1985-12-06T19:40:10+06:30", "1985-12-06T19:40:10+06:30", "UTC+6:30"),
        ("2021-04-18T04:19:35.000+06:30", "2021-04-18T04:19:35+06:30", "UTC+6:30"),
        ("1985-12-06T19:40:10Z", "1985-12-06T19:40:10Z", "UTC"),
        ("2021-08-15T12:40:50+00:00", "2021-08-15T12:40:50Z", "UTC"),
        ("2021-08-15T12:40:50+5", "2021-08-15T12:40:50+05:00", "UTC+5"),
        ("2021-08-15T12:40:50[Europe/Paris]", "2021-08-15T12:40:50[Europe/Paris]", "Europe/Paris"),
        ("2021-08-15T12:40:50[UTC]", "2021-08-15T12:40:50Z", "UTC"),
        # Out-of-range day and hour roll over.
        ("2021-02-30", "2021-03-02", "local"),
        ("2021-02-29T25:00", "2021-03-02T01:00:00", "local"),
        ("2021-03-00", "2021-02-28", "local"),
    ],
)
def test_parse_date(text: str, corpus: str, zone: str) -> None:
    parsed = d(text)
    assert date_to_corpus(parsed) == corpus
    assert parsed.zone == zone


@pytest.mark.parametrize(
    "text",
    [
        "2021-13-01",  # month above 12
        "2021-00-10",
        "2021-1-1",
        "20210418",
        " 2021-04-18",
        "2021-04-18 ",
        "2021-04-17 18:00",  # the separator must be T
        "2021-08-15T10:00+02:00",  # a zone only after seconds
        "2021-08-15T10:00:00.12",  # milliseconds need three digits
        "2021-08-15T10:00:00[Not/AZone]",
        "2021-08-15T10:00:00[America/New_York]",  # '_' is not a zone-name character
        "today",
        "",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text, UTC) is None


def test_zone_keeps_wall_clock_and_changes_instant() -> None:
    paris = d("2021-08-15T12:40:50[Europe/Paris]")
    assert (paris.dt.hour, paris.dt.minute) == (12, 40)
    assert paris.dt.utcoffset() is not None
    assert paris.epoch_ms == d("2021-08-15T10:40:50Z").epoch_ms


def test_local_zone_is_the_parameter() -> None:
    local = parse_date("2021-07-01T12:00:00", NEW_YORK)
    assert local is not None
    assert local.zone == "local"
    assert local.dt.utcoffset() is not None
    assert local.epoch_ms == d("2021-07-01T16:00:00Z").epoch_ms


@pytest.mark.parametrize(
    ("name", "corpus"),
    [
        ("now", "2024-03-17T13:45:30.250"),
        ("today", "2024-03-17"),
        ("yesterday", "2024-03-16"),
        ("tomorrow", "2024-03-18"),
        ("sow", "2024-03-11"),
        ("start-of-week", "2024-03-11"),
        ("eow", "2024-03-17T23:59:59.999"),
        ("end-of-week", "2024-03-17T23:59:59.999"),
        ("som", "2024-03-01"),
        ("eom", "2024-03-31T23:59:59.999"),
        ("soy", "2024-01-01"),
        ("eoy", "2024-12-31T23:59:59.999"),
        ("end-of-year", "2024-12-31T23:59:59.999"),
    ],
)
def test_shorthands(name: str, corpus: str) -> None:
    result = date_shorthand(name, NOW)
    assert result is not None
    assert date_to_corpus(result) == corpus
    assert result.zone == "local"


def test_unknown_shorthand() -> None:
    assert date_shorthand("someday", NOW) is None


def test_week_starts_on_monday_midweek() -> None:
    wednesday = d("2024-03-13T08:00")
    sow = date_shorthand("sow", wednesday)
    eow = date_shorthand("eow", wednesday)
    assert sow is not None and eow is not None
    assert date_to_corpus(sow) == "2024-03-11"
    assert date_to_corpus(eow) == "2024-03-17T23:59:59.999"


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("8 minutes", {"minutes": 8}),
        ("3 hrs", {"hours": 3}),
        ("2 days, 6 minutes", {"days": 2, "minutes": 6}),
        ("6day", {"days": 6}),
        ("4min", {"minutes": 4}),
        ("4 minute", {"minutes": 4}),
        ("4h15m", {"hours": 4, "minutes": 15}),
        ("4 hours, 15 minutes", {"hours": 4, "minutes": 15}),
        (
            "4 years 6 weeks 9 minutes 3 seconds",
            {"years": 4, "weeks": 6, "minutes": 9, "seconds": 3},
        ),
        ("4yr6w9m3s", {"years": 4, "weeks": 6, "minutes": 9, "seconds": 3}),
        ("1 s, 2 m, 3 h", {"hours": 3, "minutes": 2, "seconds": 1}),
        ("3 mo", {"months": 3}),
        ("1 mos", {"months": 1}),
        ("3 wks", {"weeks": 3}),
        ("1 w", {"weeks": 1}),
        ("9 yrs 8 min", {"years": 9, "minutes": 8}),
        ("90 minutes", {"minutes": 90}),  # not normalised
        ("1.5 hours", {"hours": 1.5}),
        ("-2 days", {"days": -2}),
        ("1 day 1 day", {"days": 2}),
        ("1 day, 1 day", {"days": 2}),
        ("0 s", {}),
    ],
)
def test_parse_duration(text: str, units: dict[str, float]) -> None:
    assert dur(text).units() == units


@pytest.mark.parametrize(
    "text",
    [
        "",
        "null",
        "5",
        "hours",
        "1 day,",
        "1 mosquito",
        "1 dayy",
        "1 day and 2 hours",
        " 1 day",
        "1ms",
    ],
)
def test_parse_duration_rejects(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("90 minutes", {"hours": 1, "minutes": 30}),
        ("16days", {"weeks": 2, "days": 2}),
        ("100 days", {"months": 3, "weeks": 2, "days": 2}),
        ("07h00m", {"hours": 7}),
        ("6hr7min", {"hours": 6, "minutes": 7}),
        (
            "9 years, 8 months, 4 days, 16 hours, 2 minutes",
            {"years": 9, "months": 8, "days": 4, "hours": 16, "minutes": 2},
        ),
        ("1.5 hours", {"hours": 1, "minutes": 30}),
        ("25 hours", {"days": 1, "hours": 1}),
        ("-90 minutes", {"hours": -1, "minutes": -30}),
        ("400 days", {"years": 1, "months": 2, "weeks": 1, "days": 1}),  # lossy, like Luxon
    ],
)
def test_normalize_duration(text: str, units: dict[str, float]) -> None:
    assert normalize_duration(dur(text)).units() == units


def test_duration_lengths_use_the_casual_matrix() -> None:
    assert duration_millis(dur("1 day")) == 86_400_000
    assert duration_millis(dur("1 month")) == 30 * 86_400_000
    assert duration_millis(dur("1 year")) == 365 * 86_400_000
    assert duration_as(dur("90 minutes"), "hours") == 1.5
    assert duration_as(dur("1 week"), "days") == 7


def test_date_difference_matches_dataview() -> None:
    diff = subtract_dates(d("2021-05-04"), d("1997-05-17"))
    assert diff.units() == {"years": 23, "months": 11, "weeks": 2, "days": 3}
    assert duration_as(diff, "years") == pytest.approx(23.9633473832104, abs=1e-12)


def test_date_difference_is_negative_when_reversed() -> None:
    diff = subtract_dates(d("1997-05-17"), d("2021-05-04"))
    assert diff.units() == {"years": -23, "months": -11, "weeks": -2, "days": -3}


def test_date_difference_with_time() -> None:
    diff = subtract_dates(d("2024-03-17T13:45:30.250"), d("2024-03-16T12:00"))
    assert diff.units() == {
        "days": 1,
        "hours": 1,
        "minutes": 45,
        "seconds": 30,
        "milliseconds": 250,
    }


def test_date_difference_zero() -> None:
    assert subtract_dates(d("2024-01-01"), d("2024-01-01")).units() == {}


@pytest.mark.parametrize(
    ("start", "amount", "sign", "corpus"),
    [
        ("2021-01-31", "1 month", 1, "2021-02-28"),
        ("2024-01-31", "1 month", 1, "2024-02-29"),
        ("2024-03-31", "1 month", -1, "2024-02-29"),
        ("2024-03-17", "1 day", -1, "2024-03-16"),
        ("2024-02-29", "1 year", 1, "2025-02-28"),
        ("2024-03-17T13:00", "90 minutes", 1, "2024-03-17T14:30:00"),
        ("2024-03-17", "1.5 days", 1, "2024-03-18T12:00:00"),
        ("2024-12-31", "2 weeks", 1, "2025-01-14"),
    ],
)
def test_add_duration(start: str, amount: str, sign: int, corpus: str) -> None:
    assert date_to_corpus(add_duration(d(start), dur(amount), sign)) == corpus


def test_add_duration_keeps_zone() -> None:
    fixed = d("2021-08-15T10:00:00+05:00")
    moved = add_duration(fixed, dur("1 day"))
    assert moved.zone == "UTC+5"
    assert date_to_corpus(moved) == "2021-08-16T10:00:00+05:00"


def test_add_days_across_dst_keeps_wall_clock() -> None:
    before = parse_date("2024-03-09T12:00:00", NEW_YORK)
    assert before is not None
    after = add_duration(before, dur("1 day"))
    assert (after.dt.day, after.dt.hour) == (10, 12)
    assert after.epoch_ms - before.epoch_ms == 23 * 3_600_000


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2022-01-05T12:18:04", "yyyy-MM-dd", "2022-01-05"),
        ("2021-08-05", "MMMM dd, yyyy", "August 05, 2021"),
        ("2021-08-15T10:30", "h:mm a - MMMM dd, yyyy", "10:30 AM - August 15, 2021"),
        ("2021-08-15T22:05", "h:mm a", "10:05 PM"),
        ("2021-08-15T00:05", "hh:mm a", "12:05 AM"),
        ("2021-08-15T09:07:03.045", "HH:mm:ss.SSS", "09:07:03.045"),
        ("2021-08-15", "cccc ccc EEEE EEE", "Sunday Sun Sunday Sun"),
        ("2021-08-15", "MMM M L LL LLLL", "Aug 8 8 08 August"),
        ("2021-08-05", "d yy", "5 21"),
        ("2021-01-01", "kkkk-'W'WW", "2020-W53"),
        ("2024-03-17", "kkkk-'W'WW W", "2024-W11 11"),
        ("2021-08-15", "DDD", "August 15, 2021"),
        ("2021-08-15", "DD", "Aug 15, 2021"),
        ("2021-08-15", "D", "8/15/2021"),
        ("2021-08-15", "DDDD", "Sunday, August 15, 2021"),
        ("2021-02-01", "o ooo q", "32 032 1"),
        ("2000-01-02T02:04:05.012", "x", "946778645012"),
        ("2000-01-02T02:04:05.012", "X", "946778645"),
        ("2021-08-15", "yyyy 'year' MM", "2021 year 08"),
        ("2021-08-15", "yyyyLLdd", "20210815"),
        ("2021-08-15T10:30:00+05:30", "ZZ Z ZZZ z", "+05:30 +5:30 +0530 UTC+5:30"),
    ],
)
def test_format_date(text: str, fmt: str, expected: str) -> None:
    assert format_date(d(text), fmt) == expected


def test_format_invalid_date() -> None:
    assert format_date(local_date(2021, 13, 45, local=UTC), "yyyy") == "Invalid DateTime"


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("3 days 7 hours 43 seconds", "ddd'd' hh'h' ss's'", "003d 07h 43s"),
        ("365 days 5 hours 49 minutes", "yyyy ddd hh mm ss", "0001 000 05 49 00"),
        ("14d", "s 'seconds'", "1209600 seconds"),
        ("2000 years", "M months", "24000 0ont00"),
        ("90 minutes", "h:mm", "1:30"),
        ("90 minutes", "m", "90"),
    ],
)
def test_format_duration(text: str, fmt: str, expected: str) -> None:
    assert format_duration(dur(text), fmt) == expected


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ({"hours": 1, "minutes": 30}, "1 hour, 30 minutes"),
        ({"hours": 8}, "8 hours"),
        ({"days": 1}, "1 day"),
        ({"hours": 1.5}, "1 hour, 30 minutes"),  # normalised first, like Dataview
        ({"minutes": 90}, "1 hour, 30 minutes"),
        ({"seconds": 1.25}, "1 second, 250 milliseconds"),
        ({"years": 1000}, "1,000 years"),
        ({"seconds": -1}, "-1 second"),
        ({}, ""),
    ],
)
def test_human_duration(units: dict[str, float], expected: str) -> None:
    assert human_duration(Duration(**units)) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "corpus"),
    [
        ("210313", "yyMMdd", "2021-03-13"),
        ("946778645012", "x", "2000-01-02T02:04:05.012"),
        ("946778645", "X", "2000-01-02T02:04:05"),
        ("12/25/2021", "MM/dd/yyyy", "2021-12-25"),
        ("August 5, 2021", "MMMM d, yyyy", "2021-08-05"),
        ("aug 5 2021 3:04 pm", "MMM d yyyy h:mm a", "2021-08-05T15:04:00"),
        ("Due: 2021-08-05!", "yyyy-MM-dd", "2021-08-05"),
        ("2021-08-05 10:00 +02:00", "yyyy-MM-dd HH:mm ZZ", "2021-08-05T08:00:00"),
    ],
)
def test_parse_date_with_format(text: str, fmt: str, corpus: str) -> None:
    assert date_to_corpus(parse_date_with_format(text, fmt, UTC)) == corpus


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("hello", "yyyy-MM-dd"),
        ("2021-13-05", "yyyy-MM-dd"),
        ("2021-02-30", "yyyy-MM-dd"),
        ("", "x"),
    ],
)
def test_parse_date_with_format_errors(text: str, fmt: str) -> None:
    with pytest.raises(EvaluationError):
        parse_date_with_format(text, fmt, UTC)


def test_parse_with_format_defaults_to_now_for_missing_high_units() -> None:
    parsed = parse_date_with_format("10:30", "HH:mm", UTC, now=NOW)
    assert date_to_corpus(parsed) == "2024-03-17T10:30:00"


def test_local_date_validates_like_from_object() -> None:
    assert date_to_corpus(local_date(2021, 4, 18, local=UTC)) == "2021-04-18"
    invalid = local_date(2021, 13, 45, local=UTC)
    assert invalid.invalid == "unit out of range"
    assert date_to_corpus(invalid) == "invalid"


def test_epoch_and_local_conversion() -> None:
    assert date_to_corpus(date_from_epoch_ms(946778645012, UTC)) == "2000-01-02T02:04:05.012"
    paris = d("2021-08-15T12:40:50[Europe/Paris]")
    local = to_local(paris, UTC)
    assert local.zone == "local"
    assert date_to_corpus(local) == "2021-08-15T10:40:50"
    assert date_to_corpus(start_of_day(d("2021-08-15T12:40:50+05:00"))) == (
        "2021-08-15T00:00:00+05:00"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("year", 2024),
        ("month", 3),
        ("day", 15),
        ("hour", 13),
        ("minute", 45),
        ("second", 30),
        ("millisecond", 250),
        ("weekday", 5),
        ("weekyear", 11),
        ("week", 3),
        ("quarter", None),
        ("years", None),
    ],
)
def test_date_field(name: str, expected: int | None) -> None:
    assert date_field(d("2024-03-15T13:45:30.250"), name) == expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("90 minutes", "hours", 1.5),
        ("90 minutes", "hour", 1.5),
        ("1 week", "weeks", 1),
        ("1 week", "week", None),
        ("1 week", "days", 7),
        ("2 hours", "seconds", 7200),
        ("1 day", "milliseconds", 86_400_000),
        ("1 day", "bogus", None),
    ],
)
def test_duration_field(text: str, name: str, expected: float | None) -> None:
    assert duration_field(dur(text), name) == expected

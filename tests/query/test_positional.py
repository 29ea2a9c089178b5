"""The fast record constructors build objects equal to the dataclass constructors'."""

from __future__ import annotations

import dataclasses
from datetime import UTC

from query.positional import positional_constructor
from query.records import ListItem, NoteRecord
from query.temporal.dates import local_date
from query.values import Link


def test_list_item_and_note_record_match_their_init() -> None:
    link = Link("a.md", None, "H", "header")
    item_args = (
        "-",
        "t",
        1,
        1,
        0,
        "a.md",
        link,
        link,
        ("#x",),
        (),
        (),
        None,
        None,
        True,
        " ",
        {"k": 1},
        True,
    )
    made = positional_constructor(ListItem)(*item_args)
    assert made == ListItem(*item_args) and type(made) is ListItem and made.checked is False
    date = local_date(2024, 1, 2, local=UTC)
    note_args = (
        "a.md",
        3,
        date,
        date,
        "h",
        {},
        {},
        (),
        (),
        (),
        (link,),
        (),
        (made,),
        (),
        None,
        ("e",),
        True,
    )
    note = positional_constructor(NoteRecord)(*note_args)
    assert note == NoteRecord(*note_args) and note.tasks == (made,)
    assert hash(note.outlinks) == hash(NoteRecord(*note_args).outlinks)
    assert dataclasses.replace(note, size=4).size == 4


def test_other_classes_get_their_own_constructor() -> None:
    @dataclasses.dataclass
    class Plain:
        a: int

    assert positional_constructor(Plain) is Plain


def test_records_and_values_pickle_by_position_and_back() -> None:
    import pickle

    from query.records import Section
    from query.values import Date, Duration

    link = Link("a/b.md", display="B", subpath="Part", type="header", embed=True)
    date = local_date(2024, 3, 5, local=UTC)
    samples = [link, date, Duration(days=1, hours=2), Section("H", 2, ("H",), 3, 9, link)]
    for value in samples:
        copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == value and type(copy) is type(value)
        assert type(value).__reduce__(value)[0].__name__.startswith("_make_")
    assert isinstance(date, Date)

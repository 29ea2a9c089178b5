"""Dates and durations as Dataview (Luxon) has them: parsing and arithmetic (``dates``,
``durations``), Luxon's format tokens (``luxon_format``, ``luxon_parse``) and zones (``zones``)."""

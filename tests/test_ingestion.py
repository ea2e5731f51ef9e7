"""Ingestion: validation, quarantine, pseudonymisation, refused files, reconciliation (SPEC §4)."""

import logging
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import write_csv
from support.landing import KEY, ingest, landing_member, quarantine

from sources.contract import SOURCES
from sources.ingest import SourceRefused
from sources.insz import is_valid_insz, make_insz, pseudonymise
from sources.loader import ROW_COL

TITULARIS = make_insz("850730033", False)
DEPENDANT = make_insz("150412224", True)
OTHER = make_insz("700101001", False)
MEMBERS = SOURCES["members"]
CONTRIBUTIONS = SOURCES["contributions"]


def member(insz=TITULARIS, **overrides) -> dict:
    return landing_member(insz, **overrides)


def contribution(cid="C1", **overrides) -> dict:
    row = {
        "contribution_id": cid,
        "insz": TITULARIS,
        "scheme": "ZORGKAS_PREMIE",
        "contribution_year": "2023",
        "amount_due": "58.00",
        "reduced": "false",
        "invited_on": "2023-02-01",
        "paid_on": "2023-03-01",
        "amount_paid": "58.00",
    }
    return row | overrides


# Each defect kind of the generator and of SPEC §4, with the reason it must produce.
MEMBER_DEFECTS = [
    ("bad_insz_checksum", member(insz=TITULARIS[:-2] + "00"), "check digits do not match"),
    ("insz_wrong_length", member(insz=TITULARIS[:-1]), "INSZ must be 11 digits"),
    ("insz_letters", member(insz="85O730" + TITULARIS[6:]), "INSZ must be 11 digits"),
    ("impossible_date", member(insz=OTHER, affiliation_start="2023-02-30"), "not a valid date"),
    ("year_1880", member(insz=OTHER, birth_date="1880-01-01"), "outside the plausible range"),
    ("year_2099", member(insz=OTHER, affiliation_start="2099-01-01"), "outside the plausible range"),
    (
        "end_before_start",
        member(insz=OTHER, affiliation_end="2009-12-31"),
        "affiliation_end is before affiliation_start",
    ),
    ("unknown_code", member(insz=OTHER, ziekenfonds_code="SOL_XXX"), "ziekenfonds_code: unknown code"),
    ("bad_postcode", member(insz=OTHER, postcode="123"), "postcode must be 4 digits"),
    ("missing_required", member(insz=OTHER, sex=None), "sex: required value is missing"),
    ("duplicate_row", member(), "duplicate key (insz, affiliation_start): first seen in members/a.csv row 1"),
    (
        "unknown_titularis",
        member(insz=DEPENDANT, member_type="PERSOON_TEN_LASTE", titularis_insz=make_insz("600101001", False)),
        "the titularis is not a member",
    ),
]


def test_every_defect_kind_lands_in_quarantine_with_its_reason(home):
    good = [
        member(),
        member(
            insz=DEPENDANT,
            member_type="PERSOON_TEN_LASTE",
            titularis_insz=TITULARIS,
            birth_date="2015-04-12",
            affiliation_start="2015-04-12",
        ),
    ]
    write_csv(home / "landing", "members", "a.csv", good)
    write_csv(home / "landing", "members", "b.csv", [row for _, row, _ in MEMBER_DEFECTS])

    result = ingest(home, MEMBERS)

    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (
        2 + len(MEMBER_DEFECTS),
        2,
        len(MEMBER_DEFECTS),
    )
    assert result.reconciles
    rejected = quarantine(home, "members").sort(pl.col("row").cast(pl.Int64))
    assert rejected["file"].unique().to_list() == ["members/b.csv"]
    for (kind, _, reason), (row, got) in zip(MEMBER_DEFECTS, rejected.select("row", "reason").iter_rows()):
        assert reason in got, f"{kind} (row {row}): {got}"


def test_contribution_defects(home):
    rows = [
        contribution("C1"),
        contribution("C2", amount_due="-5.00"),
        contribution("C3", amount_paid="58,00"),
        contribution("C4", reduced="maybe"),
        contribution("C5", scheme="PREMIE"),
        contribution("C6", paid_on="2023-01-15"),
        contribution("C1"),
    ]
    write_csv(home / "landing", "contributions", "c.csv", rows)
    result = ingest(home, CONTRIBUTIONS)
    reasons = quarantine(home, "contributions")["reason"].to_list()
    assert result.rows_loaded == 1
    expected = [
        "must be >= 0",
        "'.' as decimal separator",
        "not a boolean",
        "unknown code",
        "paid_on is before invited_on",
        "duplicate key",
    ]
    for fragment, reason in zip(expected, reasons):
        assert fragment in reason


def test_accepted_rows_are_typed_and_pseudonymised(home):
    write_csv(home / "landing", "members", "a.csv", [member()])
    ingest(home, MEMBERS)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        row = con.sql(
            "select person_pseudonym, birth_date, affiliation_end, _source_file, _source_row from raw.members"
        ).fetchall()
    assert row == [(pseudonymise(TITULARIS, KEY), __import__("datetime").date(1985, 7, 30), None, "members/a.csv", 1)]


def test_quarantine_keeps_pseudonym_or_masked_form_never_the_insz(home):
    write_csv(home / "landing", "members", "a.csv", [member(), member(), member(insz=TITULARIS[:-2] + "00")])
    ingest(home, MEMBERS)
    text = (home / "quarantine" / "members" / "quarantine.csv").read_text()
    assert pseudonymise(TITULARIS, KEY) in text
    assert "850730*****" in text
    assert TITULARIS not in text and TITULARIS[:-2] not in text


def test_no_raw_insz_in_database_quarantine_or_logs(home, caplog):
    caplog.set_level(logging.DEBUG)
    people = [make_insz(f"{700101001 + i:09d}", False) for i in range(50)]
    write_csv(home / "landing", "members", "a.csv", [member(insz=p) for p in people] + [member(insz=people[0])])
    write_csv(home / "landing", "contributions", "c.csv", [contribution(f"C{i}", insz=p) for i, p in enumerate(people)])
    ingest(home, MEMBERS)
    ingest(home, CONTRIBUTIONS)

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        columns = con.sql(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall()
        values = [
            v
            for schema, table, column in columns
            for (v,) in con.sql(f'select "{column}" from {schema}.{table}').fetchall()
            if v
        ]
    texts = values + [p.read_text() for p in (home / "quarantine").rglob("*.csv")] + [caplog.text]
    blob = (home / "warehouse.duckdb").read_bytes()
    for text in texts:
        assert not [m for m in re.findall(r"\b\d{11}\b", text) if is_valid_insz(m)]
    assert not any(p.encode() in blob for p in people)


def test_unparseable_file_fails_with_its_name_and_keeps_loaded_data(home):
    write_csv(home / "landing", "members", "a.csv", [member()])
    ingest(home, MEMBERS)
    (home / "landing" / "members" / "b.csv").write_bytes("insz;birth_date\ncaf\xe9;1985\n".encode("latin-1"))
    with pytest.raises(SourceRefused, match=r"members/b\.csv.*UTF-8"):
        ingest(home, MEMBERS)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from raw.members").fetchall() == [(1,)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("comma.csv", "insz,birth_date,sex\n", "wrong separator"),
        ("missing.csv", "insz;birth_date\n", "missing required column(s): sex, postcode"),
        ("empty.csv", "", "empty file"),
    ],
)
def test_refused_csv_files_name_file_and_problem(home, name, content, message):
    (home / "landing" / "members").mkdir()
    (home / "landing" / "members" / name).write_text(content)
    with pytest.raises(SourceRefused) as info:
        ingest(home, MEMBERS)
    assert name in str(info.value) and message in str(info.value)


def test_truncated_parquet_is_refused(home):
    folder = home / "landing" / "members"
    folder.mkdir()
    pl.DataFrame([member()]).write_parquet(folder / "m.parquet")
    data = (folder / "m.parquet").read_bytes()
    (folder / "m.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceRefused, match=r"m\.parquet.*cannot be parsed"):
        ingest(home, MEMBERS)


def test_parquet_with_typed_columns_is_accepted(home):
    folder = home / "landing" / "contributions"
    folder.mkdir()
    import datetime as dt

    pl.DataFrame(
        {
            "contribution_id": ["C1"],
            "insz": [TITULARIS],
            "scheme": ["ZORGKAS_PREMIE"],
            "contribution_year": [2023],
            "amount_due": [58.0],
            "reduced": [False],
            "invited_on": [dt.date(2023, 2, 1)],
            "paid_on": [None],
            "amount_paid": [None],
            "unexpected": [1],
        }
    ).write_parquet(folder / "c.parquet")
    result = ingest(home, CONTRIBUTIONS)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)
    assert any("unexpected" in w for w in result.warnings)


def test_reingesting_the_same_files_does_not_duplicate_rows(home):
    write_csv(home / "landing", "members", "a.csv", [member()])
    assert ingest(home, MEMBERS).rows_loaded == 1
    assert ingest(home, MEMBERS).rows_loaded == 1


def test_empty_landing_folder_gives_an_empty_typed_table(home):
    result = ingest(home, CONTRIBUTIONS)
    assert (result.rows_in, result.rows_loaded) == (0, 0)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        types = dict(
            con.sql(
                "select column_name, data_type from information_schema.columns where table_name='contributions'"
            ).fetchall()
        )
    assert types["amount_due"] == "DECIMAL(18,2)" and types["invited_on"] == "DATE"


def test_files_are_handed_over_one_by_one_and_later_duplicates_withdrawn(home):
    """Ingestion loads each file as soon as it is checked (memory holds one file). A key seen
    again in a later file is known when that file is checked: the row is never handed over (a
    delete spread over the new table would make DuckDB rewrite it at commit). A titularis who is
    no member of any file is only known once every file is read, so such rows are listed as
    withdrawn and deleted from the new table before it is committed. Both are quarantined with
    their original text. A titularis who appears only in a later file is known."""
    from sources.loader import validate_source

    orphan_insz = make_insz("160505005", True)
    nobody = make_insz("690101001", False)  # valid, but in no members file
    dependant = member(
        insz=DEPENDANT,
        birth_date="2015-04-12",
        member_type="PERSOON_TEN_LASTE",
        titularis_insz=OTHER,
        affiliation_start=" 2016-01-01 ",
    )
    orphan = member(
        insz=orphan_insz,
        birth_date="2016-05-05",
        member_type="PERSOON_TEN_LASTE",
        titularis_insz=nobody,
        affiliation_start="2016-06-01",
    )
    write_csv(home / "landing", "members", "a.csv", [member()])
    write_csv(home / "landing", "members", "b.csv", [member(postcode=" 2000"), dependant, orphan])
    write_csv(home / "landing", "members", "c.csv", [member(insz=OTHER)])  # the dependant's titularis
    handed: list[pl.DataFrame] = []
    validation = validate_source(home / "landing", MEMBERS, on_accepted=handed.append)
    assert pl.concat(handed).select("_source_file", ROW_COL).rows() == [
        ("members/a.csv", 1),
        ("members/b.csv", 2),
        ("members/b.csv", 3),
        ("members/c.csv", 1),
    ], "b.csv row 1 repeats a.csv's key: withheld"
    assert validation.accepted.is_empty(), "handed over, not kept"
    assert validation.withdrawn.rows() == [("members/b.csv", 3)]
    rejected = validation.rejected.select("file", "row", "reason", "postcode").rows()
    assert rejected == [
        ("members/b.csv", 1, "duplicate key (insz, affiliation_start): first seen in members/a.csv row 1", " 2000"),
        ("members/b.csv", 3, "titularis_insz: the titularis is not a member in any members file", "2000"),
    ], "original text (' 2000', not the typed value)"

    kept = validate_source(home / "landing", MEMBERS)  # without a receiver: the same split, kept
    assert kept.accepted.height == 3 and kept.rejected.rows() == validation.rejected.rows()

    result = ingest(home, MEMBERS)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (5, 3, 2)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.sql("select _source_file, _source_row from raw.members order by all").fetchall()
    assert rows == [("members/a.csv", 1), ("members/b.csv", 2), ("members/c.csv", 1)]
    assert quarantine(home, "members")["reason"].to_list() == [r[2] for r in rejected]


SLICED_ROWS = [
    member(),
    member(
        insz=DEPENDANT,
        birth_date="2015-04-12",
        member_type="PERSOON_TEN_LASTE",
        titularis_insz=OTHER,
        affiliation_start="2016-01-01",
    ),
    member(postcode="12"),  # defect
    member(),  # repeats row 1's key, two slices later
    member(insz=OTHER),  # the dependant's titularis, in a later slice
    member(  # a dependant whose titularis is in no members file
        insz=DEPENDANT,
        birth_date="2015-04-12",
        member_type="PERSOON_TEN_LASTE",
        titularis_insz=make_insz("600101001", False),
        affiliation_start="2017-01-01",
    ),
]


def test_a_file_checked_in_slices_splits_as_in_one_piece(home, monkeypatch):
    """Large files are checked SLICE_ROWS rows at a time (memory follows the slice): a key
    repeated in a later slice of the same file, a titularis who appears in a later slice, and a
    defect in any slice give the same accepted and rejected rows, in the same order, as one piece."""
    import sources.loader as loader

    write_csv(home / "landing", "members", "a.csv", SLICED_ROWS[:5])
    whole = loader.validate_source(home / "landing", MEMBERS)
    monkeypatch.setattr(loader, "SLICE_ROWS", 2)
    handed: list[pl.DataFrame] = []
    sliced = loader.validate_source(home / "landing", MEMBERS, on_accepted=handed.append)
    assert [frame.height for frame in handed] == [2, 0, 1], "three slices; the repeated key is withheld"
    assert pl.concat(handed).equals(whole.accepted)
    assert sliced.rejected.equals(whole.rejected)
    assert sliced.rejected.select("row", "reason").rows() == [
        (3, "postcode: postcode must be 4 digits (got '12')"),
        (4, "duplicate key (insz, affiliation_start): first seen in members/a.csv row 1"),
    ]
    assert sliced.rows_in == whole.rows_in == 5


def _members_parquet(landing, rows: list[dict], rows_per_group: int = 2, name: str = "a.parquet"):
    """``rows`` as a members Parquet file of text columns, in row groups of ``rows_per_group``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = landing / "members"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    table = pa.table({c: [row.get(c) or None for row in rows] for c in MEMBERS.column_names})
    pq.write_table(table, path, row_group_size=rows_per_group, compression="zstd")
    return path


def test_a_parquet_file_is_read_slice_by_slice_with_the_same_split(home, monkeypatch):
    """A Parquet file is read a slice at a time (its row groups, not the whole file): the same
    accepted and rejected rows as one piece, and a row rejected by the checks across files (its
    titularis is no member) is read back from its own slice for the quarantine."""
    import sources.loader as loader

    _members_parquet(home / "landing", SLICED_ROWS)
    whole = loader.validate_source(home / "landing", MEMBERS)
    monkeypatch.setattr(loader, "SLICE_ROWS", 2)
    read: list[tuple[int, int]] = []
    original = loader.LandingFile.read

    def spy(self, start, rows):
        read.append((start, rows))
        return original(self, start, rows)

    monkeypatch.setattr(loader.LandingFile, "read", spy)
    handed: list[pl.DataFrame] = []
    sliced = loader.validate_source(home / "landing", MEMBERS, on_accepted=handed.append)
    # three slices, then only the slices of the rows flagged across slices (rows 4 and 6)
    assert read == [(0, 2), (2, 2), (4, 2), (2, 2), (4, 2)]
    assert pl.concat(handed).join(sliced.withdrawn, on=["_source_file", ROW_COL], how="anti").equals(whole.accepted)
    assert sliced.rejected.equals(whole.rejected)
    assert sliced.rejected.select("row", "reason").rows() == [
        (3, "postcode: postcode must be 4 digits (got '12')"),
        (4, "duplicate key (insz, affiliation_start): first seen in members/a.parquet row 1"),
        (6, "titularis_insz: the titularis is not a member in any members file"),
    ]
    assert sliced.rejected.get_column("insz").to_list()[-1].endswith("*****"), "read back and masked"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_key_frames_kept_on_disk_give_the_same_split_and_are_removed(home, monkeypatch, fmt):
    """Past SPILL_KEY_ROWS the key frames of a source's slices are written under $MUTWH_HOME/tmp
    and read back only where a check across slices needs them: the same accepted and rejected rows
    as in memory (a key repeated two slices later, a titularis in a later slice, one that is in no
    file), and nothing left behind."""
    import sources.loader as loader

    if fmt == "csv":
        write_csv(home / "landing", "members", "a.csv", SLICED_ROWS)
    else:
        _members_parquet(home / "landing", SLICED_ROWS)
    monkeypatch.setattr(loader, "SLICE_ROWS", 2)
    in_memory = loader.validate_source(home / "landing", MEMBERS)
    written: list[Path] = []
    original = pl.DataFrame.write_ipc

    def spy(frame, path, **kwargs):
        written.append(Path(path))
        return original(frame, path, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_ipc", spy)
    monkeypatch.setattr(loader, "SPILL_KEY_ROWS", 0)
    abandoned = home / "tmp" / "keys-999999999-x"  # left by a killed process
    abandoned.mkdir(parents=True)
    (abandoned / "000000.arrow").write_bytes(b"")
    spilled = loader.validate_source(home / "landing", MEMBERS)
    assert len(written) == 3 and all(p.is_relative_to(home / "tmp") for p in written)
    assert spilled.accepted.equals(in_memory.accepted)
    assert spilled.rejected.equals(in_memory.rejected)
    assert spilled.rejected.get_column("reason").to_list() == [
        "postcode: postcode must be 4 digits (got '12')",
        f"duplicate key (insz, affiliation_start): first seen in members/a.{fmt} row 1",
        "titularis_insz: the titularis is not a member in any members file",
    ]
    assert not any((home / "tmp").iterdir()), "the key files are removed, and those of a dead process"


def _split(validation) -> tuple:
    return (
        validation.accepted.rows(),
        validation.rejected.rows(),
        validation.withdrawn.rows(),
        [str(r) for r in validation.refused],
        validation.warnings,
        validation.file_records,
        validation.rows_in,
    )


def test_small_files_checked_together_split_as_file_by_file(home, monkeypatch):
    """Small files (the monthly DMW exports) are checked together: the same accepted, rejected and
    withdrawn rows, refusals, warnings and file records as checking them one by one, with a key
    repeated across files, a titularis in a later file, a Parquet file among CSV ones and a file
    refused for its header between them."""
    import sources.loader as loader

    write_csv(home / "landing", "members", "a.csv", [member(), member(postcode="12")])
    write_csv(home / "landing", "members", "b.csv", [member(), SLICED_ROWS[1]])
    write_csv(home / "landing", "members", "c.csv", [{"insz": TITULARIS}], columns=["insz"])  # refused
    write_csv(home / "landing", "members", "d.csv", [SLICED_ROWS[5], member(insz=OTHER)])
    _members_parquet(home / "landing", [member(insz=make_insz("700101002", False))], name="e.parquet")
    calls: list[int] = []
    original = loader.check_rows

    def counted(df, source):
        calls.append(df.height)
        return original(df, source)

    monkeypatch.setattr(loader, "check_rows", counted)
    together = loader.validate_source(home / "landing", MEMBERS)
    # the three CSV files that could be read, together; the Parquet file (other types); then the
    # rows rejected across files, read again from b.csv and d.csv
    assert calls == [6, 1, 1, 1]
    monkeypatch.setattr(loader, "SMALL_FILE_ROWS", 0)
    calls.clear()
    one_by_one = loader.validate_source(home / "landing", MEMBERS)
    assert calls == [2, 2, 2, 1, 1, 1]
    assert _split(together) == _split(one_by_one)
    assert [r.path.name for r in together.refused] == ["c.csv"]


def test_files_checked_together_that_fail_are_checked_one_by_one(home, monkeypatch):
    """When the checks of small files read together fail (a value they cannot handle), each file
    is checked again on its own: only the file at fault is refused, by name."""
    import sources.loader as loader

    write_csv(home / "landing", "members", "a.csv", [member()])
    write_csv(home / "landing", "members", "b.csv", [member(insz=OTHER)])
    original = loader.check_rows

    def fails_on_b(df, source):
        if "members/b.csv" in df.get_column("_source_file").to_list():
            raise pl.exceptions.ComputeError("cannot compare")
        return original(df, source)

    monkeypatch.setattr(loader, "check_rows", fails_on_b)
    validation = loader.validate_source(home / "landing", MEMBERS)
    assert validation.accepted.get_column("_source_file").to_list() == ["members/a.csv"]
    assert [(r.path.name, r.reason) for r in validation.refused] == [
        ("b.csv", "values cannot be checked against the contract: cannot compare")
    ]
    assert [r["file"] for r in validation.file_records] == ["members/a.csv"]


def test_a_corrupt_row_group_late_in_a_parquet_file_refuses_it_and_loads_nothing(home, monkeypatch):
    """A damaged page shows only when its row group is read, after earlier slices were handed over:
    the file is refused with the Parquet reason and the source keeps its previous table."""
    import pyarrow.parquet as pq

    import sources.loader as loader

    write_csv(home / "landing", "members", "a.csv", [member()])
    assert ingest(home, "members").rows_loaded == 1
    (home / "landing" / "members" / "a.csv").unlink()
    path = _members_parquet(home / "landing", [member(insz=make_insz(f"8507300{i:02d}", False)) for i in range(6)])
    column = pq.ParquetFile(path).metadata.row_group(2).column(0)
    data = bytearray(path.read_bytes())
    start = column.data_page_offset + 8
    data[start : start + 16] = b"\xff" * 16  # inside the last row group's first page
    path.write_bytes(bytes(data))
    monkeypatch.setattr(loader, "SLICE_ROWS", 2)
    with pytest.raises(SourceRefused, match=r"members/a.parquet: cannot be parsed as Parquet \(truncated, corrupt"):
        ingest(home, "members")
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        assert con.sql("select count(*) from raw.members").fetchall() == [(1,)], "the previous table stays"


def test_a_file_changed_before_its_flagged_rows_are_read_again_is_refused(home, monkeypatch):
    """The rows rejected by the checks across files are read again from their file at the end: if
    the file's bytes changed since they were checked (an upload overwriting it), the quarantine
    would show other rows, so the file is refused instead."""
    import sources.loader as loader

    path = write_csv(home / "landing", "members", "a.csv", [member(), member()])
    original = loader._cross_file_flags

    def then_overwrite(*args, **kwargs):
        flags = original(*args, **kwargs)
        path.write_text(path.read_text().replace("1985-07-30", "1985-07-31"))
        return flags

    monkeypatch.setattr(loader, "_cross_file_flags", then_overwrite)
    validation = loader.validate_source(home / "landing", MEMBERS)
    assert [(r.path.name, r.reason) for r in validation.refused] == [
        ("a.csv", "changed while being read (an upload still in progress?); run again once it is complete")
    ]


def test_insz_fitting_only_the_other_century_than_the_birth_date_is_warned(home):
    """The INSZ carries no century: a number whose check digits fit only the reading the birth date
    rules out is loaded with a warning naming the row; numbers that fit their birth date are not."""
    other_century = make_insz("850730034", True)  # check digits of someone born in 2085
    rows = [
        member(),  # born 1985, 1985 reading
        member(
            insz=DEPENDANT,
            birth_date="2015-04-12",
            member_type="PERSOON_TEN_LASTE",
            titularis_insz=TITULARIS,
            affiliation_start="2015-04-12",
        ),
        member(insz=other_century),  # born 1985 but only the 2000+ reading fits
    ]
    write_csv(home / "landing", "members", "a.csv", rows)
    result = ingest(home, MEMBERS)
    assert result.rows_loaded == 3, quarantine(home, "members").to_dicts()
    century = [w for w in result.warnings if "other century" in w]
    assert century == [
        "members/a.csv row 3: insz check digits fit the other century than birth_date 1985-07-30 (a typo in the "
        "number or the date?); loaded"
    ]


def test_a_slice_handed_to_duckdb_is_not_kept_alive_by_the_connection(tmp_path):
    """Each slice's accepted rows reach DuckDB as an Arrow table, inside the load's transaction on
    the warehouse file. Registered with ``con.register``, DuckDB kept every such table's memory
    until the connection closed, even once unregistered: every slice of a source stayed in memory
    (2 GiB of contributions at scale 1.0). Once a slice is inserted and dropped, its Arrow memory
    must be free while the transaction goes on."""
    import gc

    import pyarrow as pa

    from sources.ingest import _run_over_arrow

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("begin transaction")
        con.execute("create table t (x bigint, y varchar)")
        before = pa.total_allocated_bytes()
        for part in range(3):
            numbers = range(part * 100_000, (part + 1) * 100_000)
            rows = pa.table({"y": pa.array([f"value {n:032d}" for n in numbers]), "x": pa.array(numbers)})
            assert pa.total_allocated_bytes() - before > 1_000_000
            _run_over_arrow(con, rows, "slice", "insert into t by name select * from slice")
            del rows
            gc.collect()
            assert pa.total_allocated_bytes() - before < 100_000, f"slice {part} still held"
        withdrawn = pa.table({"x": pa.array([0, 1, 2, 5])})
        _run_over_arrow(con, withdrawn, "w", "delete from t using w where t.x = w.x and w.x > 1")
        con.execute("commit")
        assert con.sql("select count(*), min(x), max(x) from t").fetchall() == [(299_998, 0, 299_999)]


@pytest.mark.parametrize("failing_stage", ["pseudonyms", "insert"])
def test_an_error_on_the_appending_thread_fails_the_load_and_keeps_the_previous_table(home, monkeypatch, failing_stage):
    """The slices are pseudonymised and inserted on another thread than the one that checks them
    (``ingest_source``): an error there reaches the caller, and the source keeps what it had."""
    import sources.ingest as ingest_module
    from sources.insz import Pseudonymiser

    write_csv(home / "landing", "contributions", "a.csv", [contribution("C1"), contribution("C2")])
    assert ingest(home, CONTRIBUTIONS).rows_loaded == 2
    write_csv(home / "landing", "contributions", "b.csv", [contribution("C3")])

    def fail(*args, **kwargs):
        raise RuntimeError(f"{failing_stage} failed")

    if failing_stage == "pseudonyms":
        monkeypatch.setattr(Pseudonymiser, "replace", fail)
    else:
        monkeypatch.setattr(ingest_module, "_run_over_arrow", fail)
    with pytest.raises(RuntimeError, match=f"{failing_stage} failed"):
        ingest(home, CONTRIBUTIONS)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from raw.contributions").fetchall() == [(2,)]
    monkeypatch.undo()
    assert ingest(home, CONTRIBUTIONS).rows_loaded == 3

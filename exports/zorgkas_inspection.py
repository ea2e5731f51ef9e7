"""Zorgkas quality tables of the inspection export (SPEC §6, folder ``inspection``):
``zorgkas_scores``, ``zorgkas_responsabilisering`` and ``zorgkas_production`` (the production
tables of seed 003, issue 16 point 9) with exactly the SPEC columns, plus the drill-down
``zorgkas_failing_rows`` (the failing dossiers behind every score, SPEC §1).

The tables read the zorgkas marts and never recompute a KPI (STYLE.md); what happens here is
column selection, ordering, the GLOBAL row (fct_zorgkas_score_year shown under the indicators of
fct_zorgkas_indicator_year) and notes that say what rests on an assumption. The workbook
``inspection.xlsx`` is shared with the DMW tables; ``order=10`` puts these sheets after them.

Small cells (SPEC §6 suppresses person counts below 5 at a grain finer than a whole DMW or
ziekenfonds): ``population`` and ``compliant`` count records (premiums, mutations, dossiers,
payments), not persons, and always of a whole zorgkas - an organisation at least as coarse as a
ziekenfonds - so they are not suppressed. The drill-down lists individual rows for the quality
staff who must correct them: it holds keyed pseudonyms and landing ids only, never an INSZ.

Responsabilisering: the rule is inferred from the published figures, not quoted from the
regulation (sources/reference/RESPONSABILISERING.md); the table says so in its notes. The mart has
two bases per year; the export shows ``computed`` when the year has computed scores and the
replay of the published outcome (``published_replay``) otherwise, and names the basis in a note
(the SPEC columns have no basis column).
"""

from __future__ import annotations

from decimal import Decimal

from exports.tables import ExportColumn, ExportSpec, ExportTable, fetch_rows, select_list, year_rows

GLOBAL = "GLOBAL"
SCORE_COLUMNS = (
    ExportColumn("year", "text"),
    ExportColumn("zorgkas_code", "text"),
    ExportColumn("indicator", "text"),
    ExportColumn("weight", "share"),
    ExportColumn("population", "int"),
    ExportColumn("compliant", "int"),
    ExportColumn("score", "score"),
)
RESPONSABILISERING_COLUMNS = (
    ExportColumn("year", "text"),
    ExportColumn("zorgkas_code", "text"),
    ExportColumn("global_score", "score"),
    ExportColumn("pot_eur", "eur"),
    ExportColumn("withheld_eur", "eur"),
    ExportColumn("received_eur", "eur"),
    ExportColumn("net_eur", "eur"),
)
FAILING_COLUMNS = (
    ExportColumn("year", "text"),
    ExportColumn("zorgkas_code", "text"),
    ExportColumn("indicator", "text"),
    ExportColumn("row_id", "text"),
    ExportColumn("person_pseudonym", "text"),
    ExportColumn("reason", "text"),
)
PRODUCTION_COLUMNS = (
    ExportColumn("year", "int", label="Jaar"),
    ExportColumn("zorgkas_code", "text", label="Zorgkas"),
    ExportColumn("zorgkas_name", "text", label="Naam", in_csv=False),
    ExportColumn("members", "int", label="Leden op 31/12"),
    ExportColumn("dossiers_zzb", "int", label="Afgehandelde dossiers ZZB"),
    ExportColumn("dossiers_zoz", "int", label="Afgehandelde dossiers ZOZ"),
    ExportColumn("dossiers_bob", "int", label="Afgehandelde dossiers BOB"),
    ExportColumn("dossiers_all_budgets", "int", label="Afgehandelde dossiers totaal", in_csv=False),
    ExportColumn(
        "werkingsmiddelen_ledenbeheer_zzb_eur", "eur", label="Werkingsmiddelen ledenbeheer + ZZB", in_csv=False
    ),
    ExportColumn("werkingsmiddelen_zoz_eur", "eur", label="Werkingsmiddelen ZOZ", in_csv=False),
    ExportColumn("werkingsmiddelen_bob_eur", "eur", label="Werkingsmiddelen BOB", in_csv=False),
    ExportColumn("werkingsmiddelen_eur", "eur", label="Werkingsmiddelen totaal"),
    ExportColumn("cost_per_member_eur", "eur", label="Kost per lid"),
    ExportColumn("cost_per_dossier_eur", "eur", label="Kost per afgehandeld dossier"),
    ExportColumn("reserves_eur", "eur", label="Reserves op 31/12"),
    ExportColumn("origin", "text", label="Herkomst"),
)
FAILING_ROWS_TABLE = "zorgkas_failing_rows"
WORKBOOK = "inspection.xlsx"
# Below this share of the published member count, computed counts are a sample (a demo landing
# zone): dividing the real werkingsmiddelen by them gives no comparable cost.
SAMPLE_SHARE = 0.5
MARTS = (
    ("marts", "fct_zorgkas_indicator_year"),
    ("marts", "fct_zorgkas_score_year"),
    ("marts", "fct_zorgkas_responsabilisering_year"),
    ("marts", "fct_zorgkas_failing_rows"),
    ("marts", "fct_zorgkas_production_year"),
)
INFERRED_RULE_NOTE = (
    "Responsabilisering: the rule is INFERRED from the published figures of 2019-2021 "
    "(sources/reference/RESPONSABILISERING.md), not quoted from the regulation (BVR 14 Oct 2016, "
    "not available): a zorgkas below the norm on indicator i forfeits weight_i x share(Y-1) x its "
    "werkingssubsidie ledenbeheer + zzb of Y; the total is redistributed over all zorgkassen pro rata "
    "their werkingssubsidie; net = received - withheld."
)


def _eur(value) -> str:
    return f"{Decimal(str(value)):,.2f}".replace(",", " ")


def _int_nl(value) -> str:
    return f"{int(value):,}".replace(",", " ")


def _percent(value) -> str:
    return f"{100 * float(value):.2f} %"


def _number(value) -> str:
    return f"{float(value):g}"


def _weights(con) -> str:
    """The weights of seed zorgkas_indicator_weights in percent, in indicator order, slash-separated."""
    rows = fetch_rows(con, "select weight from reference.zorgkas_indicator_weights order by indicator_number")
    return "/".join(_number(100 * float(r["weight"])) for r in rows) + " %"


def _norms(con) -> str:
    """The norm of seed zorgkas_indicator_parameters: "<norm> per indicator" when one value, else per indicator."""
    rows = fetch_rows(con, "select indicator, norm from reference.zorgkas_indicator_parameters order by indicator")
    if len({r["norm"] for r in rows}) == 1:
        return f"{_number(rows[0]['norm'])} per indicator"
    return ", ".join(f"{r['indicator']} {_number(r['norm'])}" for r in rows)


def zorgkas_scores(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        """
        select year, zorgkas_code, indicator, weight, population, compliant, score, empty_population,
               below_norm, norm, 0 as sort_key
        from marts.fct_zorgkas_indicator_year
        where year = ?
        union all
        select scores.year, scores.zorgkas_code, ? as indicator, weights.weight, null, null,
               scores.global_score, false, null, null, 1 as sort_key
        from marts.fct_zorgkas_score_year as scores
        inner join (
            select year, zorgkas_code, sum(weight) as weight
            from marts.fct_zorgkas_indicator_year
            group by year, zorgkas_code
        ) as weights
            on scores.year = weights.year and scores.zorgkas_code = weights.zorgkas_code
        where scores.year = ?
        order by zorgkas_code, sort_key, indicator
        """,
        [year, GLOBAL, year],
    )
    notes = [
        "score = compliant / population (SPEC §5); GLOBAL = sum of weight x score over I1-I6 "
        f"(weights of 003: {_weights(con)}).",
        f"The rule parameters (deadlines, offsets, maximum validity, grace days) and the norm of {_norms(con)} "
        "are working assumptions (seed zorgkas_indicator_parameters), not quotations of regulation.",
        "population and compliant count records (premiums, mutations, dossiers, payments) of a whole zorgkas: "
        "not subject to small-cell suppression.",
    ]
    empty = [f"{r['zorgkas_code']} {r['indicator']}" for r in rows if r["empty_population"]]
    if empty:
        notes.append("Empty population, score 1 by convention (flagged, not measured): " + ", ".join(empty) + ".")
    below = [
        f"{r['zorgkas_code']} {r['indicator']} ({_percent(r['score'])} < {_percent(r['norm'])})"
        for r in rows
        if r["below_norm"]
    ]
    if below:
        notes.append("Below norm: " + ", ".join(below) + "; failing rows in zorgkas_failing_rows.")
    scored = {r["zorgkas_code"] for r in rows}
    unscored = [
        code
        for (code,) in con.sql("select zorgkas_code from reference.zorgkassen order by zorgkas_code").fetchall()
        if code not in scored
    ]
    if unscored:
        notes.append(f"No data in the landing zone for zorgkassen {', '.join(unscored)} in {year}: not scored.")
    return ExportTable("zorgkas_scores", SCORE_COLUMNS, rows, notes=notes)


def zorgkas_responsabilisering(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        """
        select year, zorgkas_code, global_score, pot_eur, withheld_eur, received_eur, net_eur, basis,
               outcomes_known, share_year, responsabilisering_share, share_is_assumption, given_up_eur,
               published_given_up_eur, difference_to_published_eur, published_comparison
        from marts.fct_zorgkas_responsabilisering_year
        where year = ?
        order by basis, zorgkas_code
        """,
        [year],
    )
    bases = sorted({r["basis"] for r in rows})
    notes = [INFERRED_RULE_NOTE]
    if not rows:
        notes.append(
            f"No responsabilisering for {year}: it needs the werkingssubsidie of {year} (seed zorgkas_werkingsmiddelen, "
            f"published for 2019-2021) and the share of {year - 1} (seed zorgkas_responsabilisering_share)."
        )
        return ExportTable("zorgkas_responsabilisering", RESPONSABILISERING_COLUMNS, rows, notes=notes)
    basis = "computed" if "computed" in bases else bases[0]
    rows = [r for r in rows if r["basis"] == basis]
    if basis == "computed":
        notes.append(
            "Basis: computed from the indicator scores of zorgkas_scores against the norm of seed "
            f"zorgkas_indicator_parameters ({_norms(con)}, a working assumption)."
        )
        unknown = [r["zorgkas_code"] for r in rows if not r["outcomes_known"]]
        if unknown:
            notes.append(
                f"No data in the landing zone for zorgkassen {', '.join(unknown)}: treated as not below norm (they "
                "still share in the redistribution) and global_score is empty; their amounts rest on that assumption."
            )
        if "published_replay" in bases:
            notes.append(
                f"A replay of the published outcome of {year} also exists (mart fct_zorgkas_responsabilisering_year, "
                "basis published_replay)."
            )
    else:
        notes.append(
            "Basis: replay of the published outcome (seed zorgkas_published_indicator_outcomes): which indicator a "
            "zorgkas failed is not published, the fixture puts CM's failure on I4 (weight 15 %); global_score is the "
            "published one."
        )
    share = rows[0]
    notes.append(
        f"Share applied: {_percent(share['responsabilisering_share'])} of the werkingssubsidie, the share of "
        f"{share['share_year']} (Y-1)"
        + (", an assumption (the 20 % cap stays)." if share["share_is_assumption"] else ".")
    )
    for r in rows:
        published = r["published_given_up_eur"]
        if published is None or (r["given_up_eur"] == 0 and published == 0):
            continue
        notes.append(
            f"{r['zorgkas_code']}: gives up {_eur(r['given_up_eur'])} EUR under this rule, published "
            f"{_eur(published)} EUR (difference {_eur(r['difference_to_published_eur'])} EUR): {r['published_comparison']}."
        )
    if all(r["published_given_up_eur"] == 0 and r["given_up_eur"] == 0 for r in rows):
        notes.append(f"No zorgkas gives up anything in {year}, as published.")
    notes.append(
        "Amounts are computed to the millionth of a euro and shown to the cent: the rounded received amounts may "
        "differ from the rounded withheld total by a cent."
    )
    return ExportTable("zorgkas_responsabilisering", RESPONSABILISERING_COLUMNS, rows, notes=notes)


def zorgkas_failing_rows(con, year: int) -> ExportTable:
    rows = year_rows(con, FAILING_COLUMNS, "marts.fct_zorgkas_failing_rows", year, "indicator, zorgkas_code, row_id")
    notes = [
        "The rows behind every score below 100 %: row_id is the contribution_id (I1), mutation_id (I2), dossier_id "
        "(I3, I4) or payment_id (I5, I6) of the landing zone; person_pseudonym is the keyed pseudonym of the INSZ "
        "(the INSZ itself is never stored or exported).",
    ]
    return ExportTable(FAILING_ROWS_TABLE, FAILING_COLUMNS, rows, notes=notes)


def production_sample_share(rows: list[dict]) -> tuple[dict, dict, float] | None:
    """(latest computed row, latest published row, computed / published members) of the own
    zorgkas, when both exist; the share says whether the computed counts are a sample."""
    own = [r for r in rows if r["is_own"] and r["members"]]
    computed = [r for r in own if r["origin"] != "published"]
    published = [r for r in own if r["origin"] == "published"]
    if not computed or not published:
        return None
    latest, reference = computed[-1], published[-1]
    return latest, reference, latest["members"] / reference["members"]


def zorgkas_production(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        f"""
        select {select_list((c for c in PRODUCTION_COLUMNS if c.name != "zorgkas_name"), "production.")},
               production.is_own, coalesce(zorgkassen.name, production.zorgkas_code) as zorgkas_name
        from marts.fct_zorgkas_production_year as production
        left join reference.zorgkassen as zorgkassen
            on production.zorgkas_code = zorgkassen.zorgkas_code
        where production.year <= ?
        order by production.year, production.zorgkas_code
        """,
        [year],
    )
    notes = [
        f"Productietabellen van de parlementaire vraag nr. 325 (2022), punt 5-9, voor de jaren tot en met {year}: "
        "de gepubliceerde jaren 2019-2021 naast de jaren die in het warehouse geladen zijn.",
        "Eigen zorgkas (origin computed): leden = personen aangesloten op 31/12, afgehandelde dossiers = dossiers "
        "beslist in het jaar (aanvragen en herzieningen, positief of negatief), niet de actieve dossiers. BOB telt "
        "in de publicatie nieuwe en beëindigde erkenningsperiodes; hier de BOB-beslissingen van het jaar.",
        "Werkingsmiddelen (punt 5-8, 2019-2021) en reserves (punt 9, 31/12/2020) staan niet in de aangeleverde "
        "bestanden: ook voor de eigen zorgkas komen ze uit de gepubliceerde tabellen (seeds zorgkas_werkingsmiddelen "
        "en zorgkas_reserves); origin noemt die kolommen ('computed; published: werkingsmiddelen_eur').",
        "Andere zorgkassen (origin published): de gepubliceerde cijfers; leden en dossiers zijn gepubliceerd voor "
        "2019-2020 (geen definitieve cijfers voor 2021), leeg = niet gepubliceerd, nooit nul.",
        "Kost per lid = werkingsmiddelen / leden; kost per afgehandeld dossier = werkingsmiddelen / (ZZB + ZOZ + BOB).",
    ]
    sample = production_sample_share(rows)
    if sample and sample[2] < SAMPLE_SHARE:
        latest, reference, share = sample
        notes.append(
            f"Let op: de berekende ledentelling van {latest['year']} ({_int_nl(latest['members'])} leden) is "
            f"{100 * share:.1f} % van de gepubliceerde van {reference['year']} ({_int_nl(reference['members'])})".replace(
                ".", ","
            )
            + ": de aangeleverde gegevens zijn een steekproef (demo). De kost per lid en per dossier deelt de "
            "volledige werkingsmiddelen door deze tellingen en is dan niet vergelijkbaar met de gepubliceerde."
        )
    return ExportTable("zorgkas_production", PRODUCTION_COLUMNS, rows, notes=notes)


def tables(con, year: int) -> list[ExportTable]:
    return [
        zorgkas_scores(con, year),
        zorgkas_responsabilisering(con, year),
        zorgkas_failing_rows(con, year),
        zorgkas_production(con, year),
    ]


EXPORTS = [ExportSpec("inspection", tables, marts=MARTS, order=10)]

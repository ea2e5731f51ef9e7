"""Zorgkas sources of the own zorgkas (380): dossiers, monthly payments, mutations.

Dossiers are few (tens of thousands a year at full scale) and kept in memory as arrays; payments
(millions of rows) are expanded and written one year at a time.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from sources.contract import OWN_ZORGKAS

from . import calibration as cal
from . import reference
from .population import NEVER, Population, step_lookup
from .targets import zorgkas_active_dossiers
from .util import (
    day,
    digit_matrix,
    join_fixed,
    labels,
    month_end,
    month_index,
    month_start,
    month_strings,
    rng_for,
    round_half_up,
    strings_from_matrix,
    text_matrix,
    uniform_days,
)
from .writer import SourceSink, amounts, dates, make_table

PILLARS = ("ZZB", "ZOZ", "BOB")
KINDS = ("AANVRAAG", "HERZIENING")
RESIDENCES = ("THUIS", "RESIDENTIEEL")
DECISIONS = ("POSITIEF", "NEGATIEF")
ZZB, ZOZ = 0, 1
ID_PREFIX = f"ZK{OWN_ZORGKAS}-"


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


class ZorgkasSources:
    """Generates and writes zorgkas_dossiers, zorgkas_payments and zorgkas_mutations."""

    def __init__(self, pop: Population, sinks: dict[str, SourceSink], seed: int, scale: float, defects: bool):
        self.pop, self.sinks, self.seed, self.scale, self.defects = pop, sinks, seed, scale, defects
        self.per_year = reference.own_zorgkas_dossiers_per_year()
        self.quality: Counter[str] = Counter()

    def write(self, progress) -> None:
        dossiers = self.dossiers()
        self.write_dossiers(dossiers)
        for year in self.pop.years:
            self.write_payments(dossiers, year)
            self.write_mutations(dossiers, year)
            progress.update(1)

    # -- dossiers --------------------------------------------------------------------------------

    def dossiers(self) -> dict[str, np.ndarray]:
        """History (still-active rights decided before the first year) plus each year's decisions."""
        parts = [self._history()] + [self._year(year) for year in self.pop.years]
        out = _concat(parts)
        order = np.lexsort((out["received"], out["decided_year"]))
        out = {name: values[order] for name, values in out.items()}
        seq = np.zeros(order.size, dtype="int64")
        for year in np.unique(out["decided_year"]):
            sel = out["decided_year"] == year
            seq[sel] = np.arange(1, int(sel.sum()) + 1)
        out["id"] = np.hstack(
            [
                text_matrix(ID_PREFIX, order.size),
                digit_matrix(out["decided_year"], 4),
                text_matrix("-", order.size),
                digit_matrix(seq, 7),
            ]
        )
        return out

    def _decisions(self, rng, pillar: np.ndarray, pid: np.ndarray, decided: np.ndarray, positive: np.ndarray):
        """Columns of a set of decisions: kind, residence, received_on and the right period."""
        pop = self.pop
        n = pid.size
        received = np.maximum(pop.zorgkas_start[pid], decided - rng.integers(*cal.DECISION_DELAY_DAYS, n))
        residential = (pillar == ZZB) & (rng.random(n) < cal.ZZB_RESIDENTIEEL_SHARE)
        offset = np.where(
            residential, cal.ZZB_START_OFFSET_MONTHS["RESIDENTIEEL"], cal.ZZB_START_OFFSET_MONTHS["THUIS"]
        )
        start_month = np.select(
            [pillar == ZZB, pillar == ZOZ],
            [month_index(received) + offset, month_index(received) + 1],
            month_index(decided) + 1,
        )
        finite_share = np.select(
            [pillar == ZZB, pillar == ZOZ], [cal.ZZB_FINITE_RIGHT_SHARE, cal.ZOZ_FINITE_RIGHT_SHARE], 0.0
        )
        low = np.where(pillar == ZZB, cal.ZZB_FINITE_RIGHT_MONTHS[0], cal.ZOZ_FINITE_RIGHT_MONTHS[0])
        high = np.where(pillar == ZZB, cal.ZZB_FINITE_RIGHT_MONTHS[1], cal.ZOZ_FINITE_RIGHT_MONTHS[1])
        months = low + np.floor(rng.random(n) * (high - low + 1)).astype("int64")
        finite = positive & (rng.random(n) < finite_share)
        zoz_level = rng.integers(0, len(cal.ZOZ_MONTHLY_EUR_2021), n)
        return {
            "pid": pid.astype("int64"),
            "pillar": pillar.astype("int64"),
            "kind": (rng.random(n) < cal.HERZIENING_SHARE).astype("int64"),
            "residence": residential.astype("int64"),
            "received": received.astype("int64"),
            "decided": decided.astype("int64"),
            "decided_year": (decided.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970),
            "positive": positive,
            "start": np.where(positive, month_start(start_month), NEVER),
            "end": np.where(finite, month_end(start_month + months - 1), NEVER),
            "zoz_level": zoz_level,
        }

    def _pick_persons(self, rng, n: int, pillar: int, eligible: np.ndarray, when: int) -> np.ndarray:
        weights = step_lookup(self.pop.age_at(when, eligible), cal.DOSSIER_AGE_WEIGHTS[PILLARS[pillar]])
        if n == 0 or weights.sum() == 0:
            return np.empty(0, dtype="int64")
        return eligible[rng.choice(eligible.size, size=n, p=weights / weights.sum())]

    def _year(self, year: int) -> dict[str, np.ndarray]:
        """Decisions of one year: persons affiliated with the own zorgkas, older persons more often."""
        pop = self.pop
        rng = rng_for(self.seed, "zorgkas_dossiers", year)
        first, last = day(year, 1, 1), day(year, 12, 31)
        eligible = np.flatnonzero(pop.own_zorgkas_member(first, last))
        parts = []
        for p, name in enumerate(PILLARS):
            n = int(round_half_up(self.per_year[name] * self.scale)) or int(p == ZZB)
            pid = self._pick_persons(rng, n, p, eligible, day(year, 7, 1))
            decided = uniform_days(rng, np.maximum(first, pop.zorgkas_start[pid]), np.minimum(last, pop.exit[pid]))
            positive = rng.random(pid.size) < cal.POSITIVE_SHARE[name]
            parts.append(self._decisions(rng, np.full(pid.size, p), pid, decided, positive))
        out = _concat(parts)
        if self.defects:
            self._right_defects(rng, out, year)
        return out

    def _history(self) -> dict[str, np.ndarray]:
        """Positive decisions of earlier years whose right still runs on 1 January of the first
        year, sized so that active dossiers at the first 31/12 are near the published figure."""
        pop = self.pop
        rng = rng_for(self.seed, "zorgkas_dossiers", "history")
        y0 = pop.years[0]
        new_active = sum(self.per_year[p] * cal.POSITIVE_SHARE[p] for p in PILLARS) * cal.NEW_RIGHTS_ACTIVE_AT_YEAR_END
        total = int(round_half_up(self.scale * max(0.0, zorgkas_active_dossiers(y0) - new_active)))
        weights = np.array([self.per_year[p] * cal.POSITIVE_SHARE[p] for p in PILLARS])
        counts = np.floor(total * weights / weights.sum()).astype("int64")
        counts[ZZB] += total - counts.sum()
        horizon = day(y0 - cal.HISTORY_YEARS, 1, 1)
        base_end = int(pop.ends[0])
        # applicants affiliated for a while, decided at least two months before the first year
        eligible = np.flatnonzero(pop.own_zorgkas_member(base_end, base_end) & (pop.zorgkas_start <= base_end - 90))
        parts = []
        for p in range(len(PILLARS)):
            pid = self._pick_persons(rng, int(counts[p]), p, eligible, base_end)
            decided = uniform_days(
                rng, np.maximum(horizon, pop.zorgkas_start[pid] + 30), np.full(pid.size, base_end - 60)
            )
            part = self._decisions(rng, np.full(pid.size, p), pid, decided, np.ones(pid.size, dtype=bool))
            part["end"] = np.where(part["end"] < day(y0, 1, 1), NEVER, part["end"])
            parts.append(part)
        return _concat(parts)

    def _right_defects(self, rng, d: dict[str, np.ndarray], year: int) -> None:
        """Data-quality defects (I3, I4): a ZZB right starting a month off, a ZZB right valid for
        more than 60 months; at least one of each per year."""
        zzb = np.flatnonzero((d["pillar"] == ZZB) & d["positive"])
        if zzb.size < 2:
            return
        n_start = max(1, int(rng.binomial(zzb.size, cal.WRONG_RIGHT_START_SHARE)))
        n_long = max(1, int(rng.binomial(zzb.size, cal.VALIDITY_TOO_LONG_SHARE)))
        n_start, n_long = min(n_start, zzb.size // 2), min(n_long, zzb.size // 2)
        rows = rng.choice(zzb, size=n_start + n_long, replace=False)
        wrong, long = rows[:n_start], rows[n_start:]
        # a later start for finite rights, so that the validity cannot exceed the maximum as well
        shift = np.where((d["end"][wrong] == NEVER) & (rng.random(n_start) < 0.5), -1, 1)
        d["start"][wrong] = month_start(month_index(d["start"][wrong]) + shift)
        max_months = cal.ZZB_MAX_VALIDITY_MONTHS
        extra = cal.VALIDITY_TOO_LONG_EXTRA_MONTHS
        months = max_months + rng.integers(extra[0], extra[1] + 1, n_long)
        d["end"][long] = month_end(month_index(d["start"][long]) + months - 1)
        self.sinks["zorgkas_dossiers"].count_quality("wrong_right_start", n_start)
        self.sinks["zorgkas_dossiers"].count_quality("validity_too_long", n_long)

    def write_dossiers(self, d: dict[str, np.ndarray]) -> None:
        pop = self.pop
        positive = d["positive"]
        years = np.unique(d["decided_year"])
        table = make_table(
            "zorgkas_dossiers",
            {
                "dossier_id": strings_from_matrix(d["id"]),
                "insz": strings_from_matrix(pop.insz[d["pid"]]),
                "zorgkas_code": labels((OWN_ZORGKAS,), np.zeros(d["pid"].size, dtype="int64")),
                "pillar": labels(PILLARS, d["pillar"]),
                "kind": labels(KINDS, d["kind"]),
                "residence": labels(RESIDENCES, d["residence"]),
                "received_on": dates(d["received"]),
                "decided_on": dates(d["decided"]),
                "decision": labels(DECISIONS, (~positive).astype("int64")),
                "right_start": dates(np.where(positive, d["start"], 0), ~positive),
                "right_end": dates(np.where(d["end"] == NEVER, 0, d["end"]), d["end"] == NEVER),
            },
        )
        route = np.searchsorted(years, d["decided_year"])
        self.sinks["zorgkas_dossiers"].emit(table, [str(y) for y in years], route)

    # -- payments --------------------------------------------------------------------------------

    def _monthly_amount(self, d, rows, year) -> np.ndarray:
        index = (1 + cal.BUDGET_YEARLY_INDEXATION) ** (year - 2021)
        pillar = d["pillar"][rows]
        zoz = np.array(cal.ZOZ_MONTHLY_EUR_2021)[d["zoz_level"][rows]]
        return (
            np.select([pillar == ZZB, pillar == ZOZ], [cal.ZZB_MONTHLY_EUR_2021, zoz], cal.BOB_MONTHLY_EUR_2021) * index
        )

    def write_payments(self, d: dict[str, np.ndarray], year: int) -> None:
        """One payment per month of a positive right within ``year`` (while the person is still a
        member): by the end of the month, or within 30 days of the decision for back-payments."""
        pop = self.pop
        rng = rng_for(self.seed, "zorgkas_payments", year)
        first_m, last_m = month_index(day(year, 1, 1)), month_index(day(year, 12, 1))
        lo = np.maximum(month_index(d["start"]), first_m)
        hi = np.minimum(np.minimum(month_index(d["end"]), month_index(pop.exit[d["pid"]])), last_m)
        n = np.where(d["positive"], np.maximum(hi - lo + 1, 0), 0)
        rows = np.repeat(np.arange(n.size), n)
        month = lo[rows] + np.arange(rows.size) - np.repeat(np.cumsum(n) - n, n)
        if self.defects:
            rows, month = self._outside_right(rng, d, rows, month, year, first_m, last_m)
        paid = self._paid_on(rng, d, rows, month)
        if self.defects:
            paid = self._late_payments(rng, d, rows, month, paid, year)
        order = np.lexsort((rows, month))
        rows, month, paid = rows[order], month[order], paid[order]
        table = make_table(
            "zorgkas_payments",
            {
                "payment_id": join_fixed(
                    d["id"][rows],
                    text_matrix("-", rows.size),
                    digit_matrix(month // 12 + 1970, 4),
                    digit_matrix(month % 12 + 1, 2),
                ),
                "dossier_id": strings_from_matrix(d["id"][rows]),
                "for_month": month_strings(month),
                "paid_on": dates(paid),
                "amount": amounts(self._monthly_amount(d, rows, year)),
            },
        )
        self.sinks["zorgkas_payments"].emit(table, [str(year)], corrections=year == pop.years[-1])

    def _paid_on(self, rng, d, rows, month) -> np.ndarray:
        decided = d["decided"][rows]
        regular = month_start(month) + rng.integers(*cal.PAYMENT_DAY_OF_MONTH, rows.size)
        regular = np.minimum(month_end(month), np.maximum(regular, decided))
        back = decided + rng.integers(cal.BACK_PAYMENT_DELAY_DAYS[0], cal.BACK_PAYMENT_DELAY_DAYS[1] + 1, rows.size)
        back = np.maximum(np.minimum(back, int(self.pop.ends[-1])), decided)
        return np.where(month < month_index(decided), back, regular)

    def _outside_right(self, rng, d, rows, month, year, first_m, last_m):
        """Data-quality defect (I5): an extra ZZB payment for the month before the right starts."""
        before = month_index(d["start"]) - 1
        candidates = np.flatnonzero(
            (d["pillar"] == ZZB)
            & d["positive"]
            & (before >= first_m)
            & (before <= last_m)
            & (d["decided_year"] <= year)
        )
        zzb_payments = int((d["pillar"][rows] == ZZB).sum())
        n = max(1, int(rng.binomial(zzb_payments, cal.PAYMENT_OUTSIDE_RIGHT_SHARE)))
        extra = rng.choice(candidates, size=min(n, candidates.size), replace=False) if candidates.size else candidates
        self.sinks["zorgkas_payments"].count_quality("payment_outside_right", extra.size)
        return np.concatenate([rows, extra]), np.concatenate([month, before[extra]])

    def _late_payments(self, rng, d, rows, month, paid, year) -> np.ndarray:
        """Data-quality defect (I6): ZZB payments made after their deadline, at least one a year."""
        zzb = np.flatnonzero(d["pillar"][rows] == ZZB)
        if zzb.size == 0:
            return paid
        n = min(max(1, int(rng.binomial(zzb.size, cal.LATE_PAYMENT_SHARE))), zzb.size)
        late = rng.choice(zzb, size=n, replace=False)
        decided = d["decided"][rows[late]]
        back = month[late] < month_index(decided)
        paid = paid.copy()
        back_delay, regular_delay = cal.LATE_BACK_PAYMENT_DAYS, cal.LATE_PAYMENT_DAYS_AFTER_MONTH
        paid[late] = np.where(
            back,
            decided + rng.integers(back_delay[0], back_delay[1] + 1, n),
            month_end(month[late]) + rng.integers(regular_delay[0], regular_delay[1] + 1, n),
        )
        self.sinks["zorgkas_payments"].count_quality("late_payment", n)
        return paid

    # -- mutations -------------------------------------------------------------------------------

    def write_mutations(self, d: dict[str, np.ndarray], year: int) -> None:
        """Mutations of persons with a running budget (address changes etc., and deaths), to be
        transmitted within 30 days."""
        pop = self.pop
        rng = rng_for(self.seed, "zorgkas_mutations", year)
        first, last = day(year, 1, 1), day(year, 12, 31)
        running = d["positive"] & (d["start"] <= last) & (d["end"] >= first) & (d["decided"] <= last)
        holders, since = self._budget_holders(d["pid"][running], d["start"][running], first)
        count = rng.poisson(cal.MUTATIONS_PER_BUDGET_HOLDER_YEAR, holders.size)
        pid = np.repeat(holders, count)
        when = uniform_days(rng, np.repeat(since, count), np.minimum(last, pop.exit[pid]))
        died = holders[(pop.exit_kind[holders] == 1) & (pop.exit[holders] <= last)]
        pid = np.concatenate([pid, died])
        when = np.concatenate([when, pop.exit[died].astype("int64")])
        order = np.lexsort((pid, when))
        pid, when = pid[order], when[order]
        latest = int(pop.ends[-1])
        transmitted = np.minimum(
            when + rng.integers(cal.TRANSMISSION_DELAY_DAYS[0], cal.TRANSMISSION_DELAY_DAYS[1] + 1, pid.size), latest
        )
        correct = np.ones(pid.size, dtype=bool)
        if self.defects:
            late_share = cal.LATE_TRANSMISSION_SHARE_FIRST_YEAR if year == pop.years[0] else cal.LATE_TRANSMISSION_SHARE
            transmitted, correct = self._transmission_defects(rng, when, transmitted, correct, latest, late_share)
        n = pid.size
        table = make_table(
            "zorgkas_mutations",
            {
                "mutation_id": join_fixed(text_matrix(f"MUT{year}-", n), digit_matrix(np.arange(1, n + 1), 8)),
                "insz": strings_from_matrix(pop.insz[pid]),
                "zorgkas_code": labels((OWN_ZORGKAS,), np.zeros(n, dtype="int64")),
                "mutation_date": dates(when),
                "transmitted_on": dates(transmitted),
                "transmission_correct": pa.array(correct),
            },
        )
        self.sinks["zorgkas_mutations"].emit(table, [str(year)], corrections=year == pop.years[-1])

    def _budget_holders(self, pid: np.ndarray, start: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct persons with a running right, still members in the year, and the first day of
        the year on which they hold one."""
        order = np.lexsort((start, pid))
        pid, start = pid[order], start[order]
        head = np.r_[True, pid[1:] != pid[:-1]]
        holders, since = pid[head], np.maximum(start[head], first)
        keep = self.pop.exit[holders] >= since
        return holders[keep], since[keep]

    def _transmission_defects(self, rng, when, transmitted, correct, latest, late_share):
        """Data-quality defects (I2): late transmissions (> 30 days) and incorrect ones."""
        can_be_late = np.flatnonzero(latest - when > cal.LATE_TRANSMISSION_DAYS[0] + 10)
        n_late = min(max(1, int(rng.binomial(when.size, late_share))), can_be_late.size)
        late = rng.choice(can_be_late, size=n_late, replace=False)
        transmitted = transmitted.copy()
        delay = cal.LATE_TRANSMISSION_DAYS
        transmitted[late] = np.minimum(when[late] + rng.integers(delay[0], delay[1] + 1, n_late), latest)
        rest = np.setdiff1d(np.arange(when.size), late)
        n_wrong = min(max(1, int(rng.binomial(when.size, cal.INCORRECT_TRANSMISSION_SHARE))), rest.size)
        wrong = rng.choice(rest, size=n_wrong, replace=False)
        correct = correct.copy()
        correct[wrong] = False
        self.sinks["zorgkas_mutations"].count_quality("late_transmission", n_late)
        self.sinks["zorgkas_mutations"].count_quality("incorrect_transmission", n_wrong)
        return transmitted, correct

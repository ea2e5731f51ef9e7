"""Person-based sources written in chunks of persons: members, vt_periods, zorgkas_affiliations
and contributions."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sources.contract import ZIEKENFONDSEN, ZORGKASSEN

from . import calibration as cal
from . import reference
from .population import ABSENT, DAYS_PER_YEAR, NEVER, SEXES, TITULARIS, Population
from .util import day, digit_matrix, join_fixed, labels, rng_for, strings_from_matrix, text_matrix, ymd
from .writer import SourceSink, amounts, dates, make_table

MEMBER_TYPES = ("TITULARIS", "PERSOON_TEN_LASTE")


class HeadIndex:
    """Candidate titularissen for dependants, per ziekenfonds, sorted by birth day.

    Candidates are titularis of one ziekenfonds during the whole generated span (present at the
    first year-end, never leaving or changing), so a dependant's titularis_insz always points at an
    existing titularis period of the same ziekenfonds.
    """

    def __init__(self, pop: Population):
        stable = (
            (pop.first_state == 0)
            & (pop.exit == NEVER)
            & (pop.member_type.max(axis=1) == TITULARIS)
            & (pop.zf == pop.zf[:, :1]).all(axis=1)
        )
        self.is_candidate = stable
        self.pids, self.births = [], []
        for z in range(len(ZIEKENFONDSEN)):
            cand = np.flatnonzero(stable & (pop.zf[:, 0] == z))
            if cand.size == 0:  # tiny scales: any titularis of the first year-end
                cand = np.flatnonzero((pop.zf[:, 0] == z) & (pop.member_type[:, 0] == TITULARIS))
                self.is_candidate[cand] = True
            order = np.argsort(pop.birth[cand], kind="stable")
            self.pids.append(cand[order])
            self.births.append(pop.birth[cand[order]].astype("int64"))

    def heads(self, rng: np.random.Generator, zf: np.ndarray, birth: np.ndarray, child: np.ndarray) -> np.ndarray:
        """A titularis per dependant: a parent 22-40 years older for children, a person of about
        the same age for partners."""
        gap = np.where(
            child, rng.uniform(*cal.PARENT_AGE_GAP_YEARS, zf.size), rng.normal(0, cal.PARTNER_AGE_GAP_SD_YEARS, zf.size)
        )
        target = birth - gap * DAYS_PER_YEAR
        out = np.empty(zf.size, dtype="int64")
        for z in np.unique(zf):
            sel = zf == z
            births = self.births[z]
            if births.size == 0:
                raise ValueError(f"no titularis in {ZIEKENFONDSEN[z]} to attach dependants to")
            pos = np.searchsorted(births, target[sel]) + rng.integers(-3, 4, int(sel.sum()))
            out[sel] = self.pids[z][np.clip(pos, 0, births.size - 1)]
        return out


def postcodes(pid: np.ndarray, zf: np.ndarray, flemish: np.ndarray) -> pa.Array:
    """A stable 4-digit postcode per person and ziekenfonds (Flemish residents of SOL_BRA live in
    Flemish Brabant). Derived from the person number, so all periods of a person agree."""
    h = (pid.astype("uint64") * np.uint64(2654435761) + zf.astype("uint64") * np.uint64(40503)) % np.uint64(2**32)
    h = h.astype("int64")
    code = np.zeros(pid.size, dtype="int64")
    for z, name in enumerate(ZIEKENFONDSEN):
        for is_flemish in (False, True):
            key = f"{name}_FLEMISH" if is_flemish and f"{name}_FLEMISH" in cal.POSTCODE_RANGES else name
            sel = (zf == z) & (flemish == is_flemish)
            if not sel.any():
                continue
            ranges = np.array(cal.POSTCODE_RANGES[key])
            r = h[sel] % len(ranges)
            lo, hi = ranges[r, 0], ranges[r, 1]
            code[sel] = lo + ((h[sel] >> 8) % ((hi - lo) // 10 + 1)) * 10
    return strings_from_matrix(digit_matrix(code, 4))


def insz_strings(pop: Population, pid: np.ndarray) -> pa.Array:
    return strings_from_matrix(pop.insz[pid])


def home_zf(pop: Population, pid: np.ndarray) -> np.ndarray:
    """Ziekenfonds of the person's first period: the extract the row comes from."""
    return pop.zf[pid, pop.first_state[pid]].astype("int64")


def segments(pop: Population, lo: int, hi: int) -> dict[str, np.ndarray]:
    """Affiliation periods of persons lo..hi-1: a new period at entry and at every switch or type
    change; a period ends the day before the next one starts, or on the exit day."""
    pid = [np.arange(lo, hi)]
    start = [pop.entry[lo:hi].astype("int64")]
    state = [pop.first_state[lo:hi].astype("int64")]
    for k in range(1, pop.zf.shape[1]):
        changed = np.flatnonzero(pop.change_day[lo:hi, k] != NEVER)
        pid.append(changed + lo)
        start.append(pop.change_day[changed + lo, k].astype("int64"))
        state.append(np.full(changed.size, k))
    pid, start, state = np.concatenate(pid), np.concatenate(start), np.concatenate(state)
    order = np.lexsort((start, pid))
    pid, start, state = pid[order], start[order], state[order]
    end = pop.exit[pid].astype("int64")
    same_next = pid[1:] == pid[:-1]
    end[:-1][same_next] = start[1:][same_next] - 1
    return {"pid": pid, "start": start, "end": end, "state": state, "has_next": np.r_[same_next, False]}


def vt_period_arrays(pop: Population, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """VT periods of persons lo..hi-1 as (person, start, end) ordered by person and start; end is
    NEVER for an open period. The rows of ``vt_periods``; the non-take-up sources read them too."""
    first = pop.vt_first_start[lo:hi]
    has_first = np.flatnonzero(first != NEVER)
    pids, days, kinds = [has_first + lo], [first[has_first].astype("int64")], [np.zeros(has_first.size, "int8")]
    for k in range(1, pop.zf.shape[1]):
        for column, kind in ((pop.vt_on, 0), (pop.vt_off, 1)):
            hit = np.flatnonzero(column[lo:hi, k] != NEVER)
            pids.append(hit + lo)
            days.append(column[hit + lo, k].astype("int64"))
            kinds.append(np.full(hit.size, kind, "int8"))
        left = np.flatnonzero((pop.zf[lo:hi, k - 1] != ABSENT) & (pop.zf[lo:hi, k] == ABSENT) & pop.vt[lo:hi, k - 1])
        pids.append(left + lo)
        days.append(pop.exit[left + lo].astype("int64"))
        kinds.append(np.ones(left.size, "int8"))
    pid, when, kind = np.concatenate(pids), np.concatenate(days), np.concatenate(kinds)
    order = np.lexsort((kind, when, pid))
    pid, when, kind = pid[order], when[order], kind[order]
    is_start = np.flatnonzero(kind == 0)
    nxt = np.minimum(is_start + 1, pid.size - 1)
    closed = (is_start + 1 < pid.size) & (pid[nxt] == pid[is_start]) & (kind[nxt] == 1)
    return pid[is_start], when[is_start], np.where(closed, when[nxt], NEVER)


class PersonSources:
    """Writes the four person-based sources chunk by chunk."""

    def __init__(self, pop: Population, sinks: dict[str, SourceSink], seed: int, defects: bool):
        self.pop, self.sinks, self.seed, self.defects = pop, sinks, seed, defects
        self.heads = HeadIndex(pop)
        self.quality: Counter[str] = Counter()

    def write_chunk(self, lo: int, hi: int) -> None:
        self.members(lo, hi)
        self.vt_periods(lo, hi)
        self.zorgkas_affiliations(lo, hi)
        for k, year in enumerate(self.pop.years, start=1):
            self.contributions(lo, hi, k, year)

    # -- members ---------------------------------------------------------------------------------

    def members(self, lo: int, hi: int) -> None:
        pop = self.pop
        rng = rng_for(self.seed, "members", lo)
        seg = segments(pop, lo, hi)
        pid, state = seg["pid"], seg["state"]
        zf = pop.zf[pid, state].astype("int64")
        member_type = pop.member_type[pid, state]
        end = seg["end"]
        if self.defects:
            end = self._overlaps(rng, seg, zf, end)
        dependant = member_type != TITULARIS
        child = pop.age_at(pop.ends[state], pid) < cal.CHILD_DEPENDANT_AGE_LIMIT
        head = np.zeros(pid.size, dtype="int64")
        head[dependant] = self.heads.heads(rng, zf[dependant], pop.birth[pid[dependant]], child[dependant])
        titularis_insz = pc.if_else(pa.array(dependant), insz_strings(pop, head), pa.scalar(None, pa.string()))
        table = make_table(
            "members",
            {
                "insz": insz_strings(pop, pid),
                "birth_date": dates(pop.birth[pid]),
                "sex": labels(SEXES, pop.sex[pid]),
                "postcode": postcodes(pid, zf, pop.flemish[pid]),
                "ziekenfonds_code": labels(ZIEKENFONDSEN, zf),
                "member_type": labels(MEMBER_TYPES, member_type),
                "titularis_insz": titularis_insz,
                "affiliation_start": dates(seg["start"]),
                "affiliation_end": dates(end, end == NEVER),
            },
        )
        self.sinks["members"].emit(table, list(ZIEKENFONDSEN), zf, protected=self.heads.is_candidate[pid])

    def _overlaps(self, rng, seg, zf, end) -> np.ndarray:
        """Data-quality defect: a period closed only weeks after the switch to another
        ziekenfonds, so that the person is covered twice on that 31/12."""
        switch_end = np.flatnonzero(seg["has_next"] & (np.r_[zf[1:] != zf[:-1], False]))
        n = int(rng.binomial(switch_end.size, cal.OVERLAP_SHARE_OF_SWITCHES))
        n = min(max(n, cal.MIN_OVERLAPS - self.quality["overlapping_membership"]), switch_end.size)
        rows = rng.choice(switch_end, size=n, replace=False) if n > 0 else np.empty(0, "int64")
        year, _, _ = ymd(seg["start"][rows + 1])
        end = end.copy()
        extra = cal.OVERLAP_DAYS_AFTER_YEAR_END
        end[rows] = np.array([day(int(y), 12, 31) for y in year], dtype="int64") + rng.integers(
            extra[0], extra[1] + 1, rows.size
        )
        self.quality["overlapping_membership"] += rows.size
        self.sinks["members"].count_quality("overlapping_membership", rows.size)
        return end

    # -- verhoogde tegemoetkoming ----------------------------------------------------------------

    def vt_periods(self, lo: int, hi: int) -> None:
        """VT periods from the VT starts and ends of the model (a VT period also ends when the
        person leaves the landsbond)."""
        pop = self.pop
        start_pid, start, end = vt_period_arrays(pop, lo, hi)
        table = make_table(
            "vt_periods",
            {
                "insz": insz_strings(pop, start_pid),
                "start_date": dates(start),
                "end_date": dates(end, end == NEVER),
            },
        )
        self.sinks["vt_periods"].emit(table, list(ZIEKENFONDSEN), home_zf(pop, start_pid))

    # -- zorgkas affiliations --------------------------------------------------------------------

    def zorgkas_affiliations(self, lo: int, hi: int) -> None:
        pop = self.pop
        pid = np.flatnonzero(pop.zorgkas_start[lo:hi] != NEVER) + lo
        end = pop.exit[pid]
        table = make_table(
            "zorgkas_affiliations",
            {
                "insz": insz_strings(pop, pid),
                "zorgkas_code": labels(ZORGKASSEN, pop.zorgkas[pid]),
                "start_date": dates(pop.zorgkas_start[pid]),
                "end_date": dates(end, end == NEVER),
            },
        )
        self.sinks["zorgkas_affiliations"].emit(table, list(ZIEKENFONDSEN), home_zf(pop, pid))

    # -- contributions ---------------------------------------------------------------------------

    def contributions(self, lo: int, hi: int, k: int, year: int) -> None:
        """Zorgkas premiums of own-zorgkas members affiliated on 1 January, and the aanvullende
        verzekering of every titularis at 31/12; one row per person, scheme and year."""
        pop = self.pop
        rng = rng_for(self.seed, "contributions", year, lo)
        jan1 = day(year, 1, 1)
        premium = self._premiums(rng, lo, hi, k, year, jan1)
        av = self._aanvullende(rng, lo, hi, k, year, jan1)
        columns = {name: pa.concat_arrays([premium[name], av[name]]) for name in premium}
        table = make_table("contributions", columns)
        self.sinks["contributions"].emit(table, [str(year)], corrections=year == pop.years[-1])

    def _premiums(self, rng, lo, hi, k, year, jan1) -> dict[str, pa.Array]:
        pop = self.pop
        pid = np.flatnonzero(pop.own_zorgkas_member(jan1, jan1, slice(lo, hi))) + lo
        n = pid.size
        was_present = pop.zf[pid, k - 1] != ABSENT
        reduced = np.where(was_present, pop.vt[pid, k - 1], pop.vt[pid, k])
        full, low = reference.premium_for_year(year)
        april = rng.random(n) < cal.PREMIUM_INVITATION_APRIL_SHARE
        main, late = cal.PREMIUM_INVITATION_MAIN_WINDOW, cal.PREMIUM_INVITATION_APRIL_WINDOW
        invited = (
            jan1 - 1 + np.where(april, rng.integers(late[0], late[1] + 1, n), rng.integers(main[0], main[1] + 1, n))
        )
        if self.defects:
            invited = self._late_invitations(rng, invited, year)
        return self._contribution_columns(
            rng,
            "ZP",
            year,
            pid,
            np.where(reduced, low, full),
            reduced,
            invited,
            cal.PREMIUM_UNPAID_SHARE,
            "ZORGKAS_PREMIE",
        )

    def _late_invitations(self, rng, invited, year) -> np.ndarray:
        """Data-quality defect (indicator I1): invitations sent after 30 April, at least one a year."""
        kind = f"late_invitation_{year}"
        n = int(rng.binomial(invited.size, cal.LATE_INVITATION_SHARE))
        n = min(max(n, 1 - self.quality[kind]), invited.size)
        rows = rng.choice(invited.size, size=n, replace=False) if n > 0 else np.empty(0, "int64")
        invited = invited.copy()
        delay = cal.LATE_INVITATION_DAYS_AFTER_APRIL
        invited[rows] = day(year, 5, 1) + rng.integers(delay[0], delay[1] + 1, rows.size)
        self.quality[kind] += rows.size
        self.sinks["contributions"].count_quality("late_invitation", rows.size)
        return invited

    def _aanvullende(self, rng, lo, hi, k, year, jan1) -> dict[str, pa.Array]:
        pop = self.pop
        pid = np.flatnonzero((pop.zf[lo:hi, k] != ABSENT) & (pop.member_type[lo:hi, k] == TITULARIS)) + lo
        n = pid.size
        yearly = 12 * cal.AANVULLENDE_MONTHLY_EUR_2021 * (1 + cal.AANVULLENDE_YEARLY_INDEXATION) ** (year - 2021)
        window = cal.AANVULLENDE_INVITATION_WINDOW
        invited = jan1 - 1 + rng.integers(window[0], window[1] + 1, n)
        return self._contribution_columns(
            rng,
            "AV",
            year,
            pid,
            np.full(n, round(yearly, 2)),
            np.zeros(n, bool),
            invited,
            cal.AANVULLENDE_UNPAID_SHARE,
            "AANVULLENDE_VERZEKERING",
        )

    def _contribution_columns(self, rng, prefix, year, pid, due, reduced, invited, unpaid_share, scheme):
        n = pid.size
        unpaid = rng.random(n) < unpaid_share
        paid_on = invited + rng.integers(cal.PAYMENT_DELAY_DAYS[0], cal.PAYMENT_DELAY_DAYS[1] + 1, n)
        return {
            "contribution_id": join_fixed(text_matrix(f"{prefix}{year}-", n), digit_matrix(pid, 9)),
            "insz": insz_strings(self.pop, pid),
            "scheme": labels((scheme,), np.zeros(n, dtype="int64")),
            "contribution_year": pa.array(np.full(n, year, dtype="int32")),
            "amount_due": amounts(due),
            "reduced": pa.array(np.asarray(reduced, dtype=bool)),
            "invited_on": dates(invited),
            "paid_on": dates(paid_on, unpaid),
            "amount_paid": amounts(due, unpaid),
        }

"""The person model behind every person-based source: who is a member, where, as what, with VT.

The model works on year-end states. For each person and each 31 December of the model years (the
year before the first generated year, then every generated year) it fixes the ziekenfonds
(or absent), the member type and the VT flag. Between two year-ends a person has at most one
event: entry (birth, arrival), exit (death, departure), a switch of ziekenfonds or a change of
member type, each on a random day of that year. Counts per year-end are drawn *exactly* (weighted
sampling without replacement), which is what lets the ``solidaris`` profile reproduce published
figures while persons still join, leave and move.

Everything is a numpy array over persons (a few tens of bytes per person), so scale 1.0
(~3.6 million persons) fits easily in memory; the sources are then written in chunks of persons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.contract import OWN_ZORGKAS, ZIEKENFONDSEN, ZORGKASSEN

from . import calibration as cal
from .targets import Targets
from .util import add_years, choose_weighted, day, digit_matrix, rng_for, round_half_up, uniform_days, ymd

NEVER = 1_000_000  # day number far in the future: "no such date"
ABSENT = -1
TITULARIS, DEPENDANT = 0, 1
SEXES = ("M", "F", "X")
DAYS_PER_YEAR = 365.25
ZF = {code: i for i, code in enumerate(ZIEKENFONDSEN)}
FLEMISH_ZF = np.array([ZF[z] for z in cal.FLEMISH_ZIEKENFONDSEN])
BRABANT = ZF["SOL_BRA"]
# Switches stay within the language region of the person (so that zorgkas membership is stable).
SWITCH_GROUPS = {True: [*FLEMISH_ZF.tolist(), BRABANT], False: [BRABANT, ZF["SOL_WAL"], ZF["MSL_LUX"]]}
INSZ_SLOTS = 498  # counter slots per birth date and sex; slot 0 (counter 001/002) is never used
OWN_ZORGKAS_INDEX = ZORGKASSEN.index(OWN_ZORGKAS)


def step_lookup(values: np.ndarray, table: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Piecewise-constant lookup: the value of the last breakpoint at or below each value."""
    points = np.array([p for p, _ in table], dtype="float64")
    out = np.array([v for _, v in table], dtype="float64")
    return out[np.clip(np.searchsorted(points, values, side="right") - 1, 0, None)]


@dataclass
class Population:
    """Year-end states of every person; index 0 of the state axis is 31/12 before the first year."""

    years: list[int]  # generated years
    ends: np.ndarray  # day number of each model year-end (len(years) + 1)
    birth: np.ndarray
    sex: np.ndarray
    flemish: np.ndarray
    entry: np.ndarray  # start of the first affiliation period
    first_state: np.ndarray  # state index of the first year-end the person is present
    exit: np.ndarray  # last day of affiliation with the landsbond, NEVER if none
    exit_kind: np.ndarray  # 0 none, 1 death, 2 departure to another landsbond
    zf: np.ndarray  # (persons, states) ziekenfonds index or ABSENT
    member_type: np.ndarray  # (persons, states)
    vt: np.ndarray  # (persons, states)
    change_day: np.ndarray  # (persons, states) day of a switch / type change in that year
    vt_on: np.ndarray  # (persons, states) day VT started in that year
    vt_off: np.ndarray  # (persons, states) day VT ended in that year
    vt_first_start: np.ndarray  # start of the VT period running at the first year-end
    zorgkas_start: np.ndarray  # start of the zorgkas affiliation, NEVER if none
    zorgkas: np.ndarray  # index into ZORGKASSEN
    insz: np.ndarray  # (persons, 11) ASCII digits

    @property
    def size(self) -> int:
        return self.birth.size

    def age_at(self, when: int, index: np.ndarray | slice = slice(None)) -> np.ndarray:
        return (when - self.birth[index]) / DAYS_PER_YEAR

    def own_zorgkas_member(self, first_day: int, last_day: int, index: slice = slice(None)) -> np.ndarray:
        """Persons affiliated with the own zorgkas on some day of [first_day, last_day]."""
        return (
            (self.zorgkas[index] == OWN_ZORGKAS_INDEX)
            & (self.zorgkas_start[index] <= last_day)
            & (self.exit[index] >= first_day)
        )


def _sample_ages(rng: np.random.Generator, n: int, factor: tuple | None = None) -> np.ndarray:
    """Ages in years (float) drawn from the calibrated pyramid, optionally reweighted by age."""
    weights = np.array(cal.AGE_BAND_WEIGHTS, dtype="float64")
    if factor is not None:
        weights = weights * step_lookup(np.arange(weights.size) * 5.0, factor)
    band = rng.choice(weights.size, size=n, p=weights / weights.sum())
    return np.minimum(band * 5 + rng.random(n) * 5, cal.MAX_AGE + 0.99)


def _new_people(rng: np.random.Generator, zf: np.ndarray) -> dict[str, np.ndarray]:
    """Sex and region of new persons of the given ziekenfondsen."""
    shares = np.array(list(cal.SEX_SHARES.values()))
    flemish = np.isin(zf, FLEMISH_ZF) | ((zf == BRABANT) & (rng.random(zf.size) < cal.BRABANT_FLEMISH_SHARE))
    return {"sex": rng.choice(3, size=zf.size, p=shares).astype("int8"), "flemish": flemish}


class _Builder:
    """Builds a Population year by year; the arrays grow when persons enter."""

    def __init__(self, targets: Targets, seed: int):
        self.t = targets
        self.seed = seed
        self.years = targets.years[1:]
        self.ends = np.array([day(y, 12, 31) for y in targets.years], dtype="int64")
        self.n_states = len(targets.years)

    # -- state storage ---------------------------------------------------------------------------

    def _empty_states(self, n: int) -> dict[str, np.ndarray]:
        """State arrays of n persons who are absent at every year-end."""
        shape = (n, self.n_states)
        return {
            "zf": np.full(shape, ABSENT, dtype="int8"),
            "member_type": np.full(shape, DEPENDANT, dtype="int8"),
            "vt": np.zeros(shape, dtype=bool),
            "change_day": np.full(shape, NEVER, dtype="int32"),
            "vt_on": np.full(shape, NEVER, dtype="int32"),
            "vt_off": np.full(shape, NEVER, dtype="int32"),
        }

    def _append(self, block: dict[str, np.ndarray], state: int) -> None:
        """Add entering persons (present from year-end ``state``)."""
        n = block["birth"].size
        for name in ("birth", "sex", "flemish", "entry"):
            setattr(self, name, np.concatenate([getattr(self, name), block[name]]))
        self.first_state = np.concatenate([self.first_state, np.full(n, state, dtype="int8")])
        self.exit = np.concatenate([self.exit, np.full(n, NEVER, dtype="int32")])
        self.exit_kind = np.concatenate([self.exit_kind, np.zeros(n, dtype="int8")])
        self.vt_first_start = np.concatenate([self.vt_first_start, np.full(n, NEVER, dtype="int32")])
        grow = self._empty_states(n)
        grow["zf"][:, state] = block["zf"]
        grow["member_type"][:, state] = block["member_type"]
        grow["vt"][:, state] = block["vt"]
        grow["vt_on"][:, state] = np.where(block["vt"], block["entry"], NEVER)
        for name, extra in grow.items():
            setattr(self, name, np.concatenate([getattr(self, name), extra]))

    # -- the first year-end ----------------------------------------------------------------------

    def base(self) -> None:
        """Persons present at the first model year-end, with their current period's start."""
        rng = rng_for(self.seed, "population", "base")
        ref = int(self.ends[0])
        zf = np.repeat(np.arange(len(ZIEKENFONDSEN)), self.t.leden[0]).astype("int8")
        n = zf.size
        age = _sample_ages(rng, n)
        self.birth = (ref - np.floor(age * DAYS_PER_YEAR)).astype("int32")
        people = _new_people(rng, zf)
        self.sex, self.flemish = people["sex"], people["flemish"]
        member_type = np.full(n, DEPENDANT, dtype="int8")
        member_type[choose_weighted(rng, step_lookup(age, cal.TITULARIS_PROPENSITY), self.t.titularissen[0])] = (
            TITULARIS
        )
        vt = np.zeros(n, dtype=bool)
        vt[choose_weighted(rng, step_lookup(age, cal.VT_PROPENSITY), self.t.vt_leden[0])] = True
        self.entry = self._base_entry(rng, age, member_type, ref).astype("int32")
        self.first_state = np.zeros(n, dtype="int8")
        self.exit = np.full(n, NEVER, dtype="int32")
        self.exit_kind = np.zeros(n, dtype="int8")
        for name, values in self._empty_states(n).items():
            setattr(self, name, values)
        self.zf[:, 0], self.member_type[:, 0], self.vt[:, 0] = zf, member_type, vt
        history = ref - int(cal.VT_HISTORY_YEARS * DAYS_PER_YEAR)
        self.vt_first_start = np.where(
            vt, uniform_days(rng, np.maximum(self.entry, history), np.full(n, ref)), NEVER
        ).astype("int32")

    def _base_entry(self, rng, age, member_type, ref) -> np.ndarray:
        """Start of the period running at the first year-end: children mostly since birth, adults
        since some date after their 18th birthday (within the calibrated history window)."""
        birth = self.birth.astype("int64")
        n = birth.size
        oldest = ref - int(cal.MAX_PERIOD_HISTORY_YEARS * DAYS_PER_YEAR)
        adult_low = np.minimum(np.maximum(add_years(birth, 18), oldest), ref)
        adult = uniform_days(rng, adult_low, np.full(n, ref))
        lag = cal.NEWBORN_AFFILIATION_LAG_DAYS
        since_birth = np.minimum(birth + rng.integers(lag[0], lag[1] + 1, n), ref)
        later = uniform_days(rng, birth, np.full(n, ref))
        child = np.where(rng.random(n) < cal.CHILD_SINCE_BIRTH_SHARE, since_birth, later)
        is_adult_period = (member_type == TITULARIS) | (age >= cal.CHILD_DEPENDANT_AGE_LIMIT)
        return np.where(is_adult_period, adult, child)

    # -- one year of events ----------------------------------------------------------------------

    def year(self, k: int) -> None:
        """Events of model year k (between year-ends k-1 and k) and the states at year-end k."""
        y = self.years[k - 1]
        rng = rng_for(self.seed, "population", "year", y)
        first, last = day(y, 1, 1), int(self.ends[k])
        prev_zf = self.zf[:, k - 1]
        age = (self.ends[k - 1] - self.birth) / DAYS_PER_YEAR
        q_death = np.minimum(cal.MORTALITY_A * np.exp(cal.MORTALITY_B * age), cal.MORTALITY_CAP)
        young = (age >= cal.YOUNG_ADULT_AGES[0]) & (age <= cal.YOUNG_ADULT_AGES[1])
        q_depart = np.where(young, cal.DEPARTURE_RATE_YOUNG_ADULT, cal.DEPARTURE_RATE_OTHER)
        w_exit = np.where(prev_zf != ABSENT, q_death + q_depart, 0.0)
        limit = add_years(self.birth, cal.CHILD_DEPENDANT_AGE_LIMIT)
        leaving_childhood = (limit >= first) & (limit <= last)

        exits, switches, dest, entries, births = self._exits_and_switches(rng, k, w_exit, leaving_childhood)
        n_exit = exits.size
        exit_day = uniform_days(rng, np.full(n_exit, first), np.full(n_exit, last - 1))
        is_death = rng.random(n_exit) < q_death[exits] / np.maximum(w_exit[exits], 1e-12)
        self.exit[exits] = exit_day
        self.exit_kind[exits] = np.where(is_death, 1, 2)

        self.zf[:, k] = prev_zf
        self.zf[exits, k] = ABSENT
        self.zf[switches, k] = dest
        self.member_type[:, k] = self.member_type[:, k - 1]
        self.change_day[switches, k] = uniform_days(rng, np.full(switches.size, first), np.full(switches.size, last))
        self._enter(rng, k, first, last, entries, births)

        n_old = prev_zf.size
        stayers = np.zeros(self.birth.size, dtype=bool)
        stayers[:n_old] = prev_zf != ABSENT
        stayers[exits] = False
        quiet = stayers.copy()
        quiet[switches] = False
        self._change_types(
            rng, k, first, last, quiet, np.concatenate([leaving_childhood, np.zeros(self.birth.size - n_old, bool)])
        )
        self._change_vt(rng, k, first, last, stayers)

    def _exits_and_switches(self, rng, k, w_exit, leaving_childhood):
        """Exact numbers of exits and switches per ziekenfonds, then the number of entries (and
        births among them) needed to reach the year-end target."""
        prev_zf = self.zf[:, k - 1]
        exits, switches, dest = [], [], []
        members = [np.flatnonzero(prev_zf == z) for z in range(len(ZIEKENFONDSEN))]
        for z, idx in enumerate(members):
            out = idx[choose_weighted(rng, w_exit[idx], round_half_up(w_exit[idx].sum()))]
            exits.append(out)
            movable = np.setdiff1d(idx, out)
            movable = movable[~leaving_childhood[movable]]
            moved = movable[choose_weighted(rng, np.ones(movable.size), round_half_up(cal.SWITCH_RATE * idx.size))]
            switches.append(moved)
            dest.append(self._destinations(rng, z, moved, k))
        switches_all, dest_all = np.concatenate(switches), np.concatenate(dest).astype("int8")
        entries = np.zeros(len(ZIEKENFONDSEN), dtype="int64")
        for z, idx in enumerate(members):
            stay = idx.size - exits[z].size - switches[z].size + int((dest_all == z).sum())
            need = int(self.t.leden[k, z]) - stay
            if need < 0:  # shrinking ziekenfonds: more departures
                candidates = np.setdiff1d(np.setdiff1d(idx, exits[z]), switches[z])
                extra = candidates[choose_weighted(rng, w_exit[candidates] + 1e-9, -need)]
                exits[z] = np.concatenate([exits[z], extra])
                need = 0
            entries[z] = need
        births = np.minimum(entries, round_half_up(cal.BIRTH_RATE * np.array([m.size for m in members])))
        return np.sort(np.concatenate(exits)), switches_all, dest_all, entries, births

    def _destinations(self, rng, z, moved, k) -> np.ndarray:
        """Other ziekenfonds of the same language region, in proportion to its size."""
        out = np.empty(moved.size, dtype="int64")
        for flemish in (True, False):
            sel = self.flemish[moved] == flemish
            options = np.array([o for o in SWITCH_GROUPS[flemish] if o != z])
            if not sel.any():
                continue
            weights = self.t.leden[k, options].astype("float64")
            out[sel] = rng.choice(options, size=int(sel.sum()), p=weights / weights.sum())
        return out

    def _enter(self, rng, k, first, last, entries, births) -> None:
        """Newborns and arrivals of year k, per ziekenfonds."""
        zf = np.repeat(np.arange(len(ZIEKENFONDSEN)), entries).astype("int8")
        newborn = np.concatenate([np.arange(n) < b for n, b in zip(entries, births)])
        n = zf.size
        age = np.where(newborn, 0.0, _sample_ages(rng, n, cal.ARRIVAL_AGE_FACTOR))
        born = uniform_days(rng, np.full(n, first), np.full(n, last))
        arrival = uniform_days(rng, np.full(n, first), np.full(n, last))
        lag = cal.NEWBORN_AFFILIATION_LAG_DAYS
        entry = np.where(newborn, np.minimum(born + rng.integers(lag[0], lag[1] + 1, n), last), arrival)
        birth = np.where(newborn, born, arrival - np.floor(age * DAYS_PER_YEAR).astype("int64"))
        titularis = ~newborn & (rng.random(n) < step_lookup(age, cal.ARRIVAL_TITULARIS_PROBABILITY))
        block = {
            "zf": zf,
            "birth": birth.astype("int32"),
            "entry": entry.astype("int32"),
            "member_type": np.where(titularis, TITULARIS, DEPENDANT).astype("int8"),
            "vt": rng.random(n) < cal.ARRIVAL_VT_PROBABILITY,
            **_new_people(rng, zf),
        }
        self._append(block, k)

    def _change_types(self, rng, k, first, last, quiet, leaving_childhood) -> None:
        """Exact titularissen at year-end k: dependent children become titularis on their 25th
        birthday; other dependants (young workers, partners) or titularissen (partners) change
        type so that the target is met."""
        present = self.zf[:, k] != ABSENT
        current = self.member_type[:, k]
        needed = int(self.t.titularissen[k]) - int((present & (current == TITULARIS)).sum())
        age = (self.ends[k - 1] - self.birth) / DAYS_PER_YEAR
        mandatory = np.flatnonzero(
            quiet & (current == DEPENDANT) & leaving_childhood & (age < cal.CHILD_DEPENDANT_AGE_LIMIT)
        )
        self.member_type[mandatory, k] = TITULARIS
        self.change_day[mandatory, k] = add_years(self.birth[mandatory], cal.CHILD_DEPENDANT_AGE_LIMIT)
        extra = needed - mandatory.size
        if extra >= 0:
            pool = quiet & (current == DEPENDANT)  # a view: the mandatory ones are titularis now
            weights = np.where(pool, step_lookup(age, cal.DEPENDANT_TO_TITULARIS_PROPENSITY), 0.0)
            chosen, new_type = choose_weighted(rng, weights, extra), TITULARIS
        else:
            pool = quiet & (current == TITULARIS) & (age >= cal.PARTNER_AGES[0]) & (age <= cal.PARTNER_AGES[1])
            chosen, new_type = choose_weighted(rng, pool.astype("float64"), -extra), DEPENDANT
        self.member_type[chosen, k] = new_type
        self.change_day[chosen, k] = uniform_days(rng, np.full(chosen.size, first), np.full(chosen.size, last))

    def _change_vt(self, rng, k, first, last, stayers) -> None:
        """VT ends and starts of year k such that the VT count at year-end k is exact."""
        keep = stayers & self.vt[:, k - 1]
        ending = keep & (rng.random(keep.size) < cal.VT_YEARLY_END_PROBABILITY)
        self.vt[:, k] |= keep & ~ending
        present = self.zf[:, k] != ABSENT
        surplus = int((present & self.vt[:, k]).sum()) - int(self.t.vt_leden[k])
        age = (self.ends[k] - self.birth) / DAYS_PER_YEAR
        if surplus < 0:
            pool = stayers & ~self.vt[:, k] & ~ending
            starts = choose_weighted(rng, np.where(pool, step_lookup(age, cal.VT_PROPENSITY), 0.0), -surplus)
            self.vt[starts, k] = True
            self.vt_on[starts, k] = uniform_days(rng, np.full(starts.size, first), np.full(starts.size, last))
        else:
            more = choose_weighted(rng, (keep & ~ending).astype("float64"), surplus)
            ending[more] = True
            self.vt[more, k] = False
        ended = np.flatnonzero(ending)
        self.vt_off[ended, k] = uniform_days(rng, np.full(ended.size, first), np.full(ended.size, last - 1))

    # -- after the last year ---------------------------------------------------------------------

    def zorgkas(self) -> tuple[np.ndarray, np.ndarray]:
        """Zorgkas affiliation of Flemish residents from 25 (or their entry, or the scheme start)
        until they leave the landsbond; a few % with another zorgkas than the own one."""
        rng = rng_for(self.seed, "population", "zorgkas")
        start = np.maximum(
            np.maximum(self.entry, add_years(self.birth, cal.ZORGKAS_AFFILIATION_AGE)), day(*cal.ZORGKAS_SCHEME_START)
        )
        valid = self.flemish & (start <= self.ends[-1]) & (start <= self.exit)
        other = rng.random(start.size) < cal.OTHER_ZORGKAS_SHARE
        code = np.where(
            other, rng.choice([ZORGKASSEN.index(c) for c in cal.OTHER_ZORGKASSEN], start.size), OWN_ZORGKAS_INDEX
        )
        return np.where(valid, start, NEVER).astype("int32"), code.astype("int8")

    def build(self) -> Population:
        self.base()
        for k in range(1, self.n_states):
            self.year(k)
        zorgkas_start, zorgkas = self.zorgkas()
        return Population(
            years=self.years,
            ends=self.ends,
            birth=self.birth,
            sex=self.sex,
            flemish=self.flemish,
            entry=self.entry,
            first_state=self.first_state,
            exit=self.exit,
            exit_kind=self.exit_kind,
            zf=self.zf,
            member_type=self.member_type,
            vt=self.vt,
            change_day=self.change_day,
            vt_on=self.vt_on,
            vt_off=self.vt_off,
            vt_first_start=self.vt_first_start,
            zorgkas_start=zorgkas_start,
            zorgkas=zorgkas,
            insz=assign_insz(self.birth, self.sex, rng_for(self.seed, "population", "insz")),
        )


def build_population(targets: Targets, seed: int) -> Population:
    """The person model for the target years (first target year = the year before the first
    generated year)."""
    return _Builder(targets, seed).build()


def insz_digits(birth: np.ndarray, counter: np.ndarray) -> np.ndarray:
    """(n, 11) ASCII digits of INSZ numbers for birth days and 3-digit counters (check digits
    computed as in ``sources.insz``: mod 97, prefix 2 for births from 2000)."""
    year, month, dom = ymd(birth)
    first9 = ((year % 100) * 10000 + month * 100 + dom) * 1000 + counter
    check = 97 - (np.where(year >= 2000, 2_000_000_000, 0) + first9) % 97
    return np.hstack([digit_matrix(first9, 9), digit_matrix(check, 2)])


def assign_insz(birth: np.ndarray, sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A unique, valid INSZ per person: odd counters for men, even for women (X: either).

    Persons with the same birth day and parity get distinct counter slots through one random
    permutation of the slots; slot 0 stays free for INSZ that must belong to nobody.
    """
    parity = np.where(sex == 2, rng.integers(0, 2, sex.size), sex).astype("int64")
    key = birth.astype("int64") * 2 + parity
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    group_start = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    starts = np.zeros(key.size, dtype="int64")
    starts[group_start] = group_start
    rank = np.empty(key.size, dtype="int64")
    rank[order] = np.arange(key.size) - np.maximum.accumulate(starts)
    if rank.size and rank.max() >= INSZ_SLOTS:
        raise ValueError("too many persons per birth day for unique INSZ counters; lower the scale")
    slot = (rng.permutation(INSZ_SLOTS) + 1)[rank]
    counter = 2 * slot + 1 + parity
    return insz_digits(birth, counter)


def nobody_insz(rng: np.random.Generator, n: int) -> list[str]:
    """Valid INSZ numbers that belong to no generated person (reserved counter slot 0)."""
    birth = rng.integers(day(1940, 1, 1), day(1995, 12, 31), n)
    parity = rng.integers(0, 2, n)
    return [bytes(r).decode() for r in insz_digits(birth, 1 + parity)]

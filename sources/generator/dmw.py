"""Sources of the landsbond's five erkende diensten maatschappelijk werk (DMW).

Users, advice and loans are members of the ziekenfonds the DMW belongs to. Activity sources are
written as monthly files (``<source>_YYYY-MM``) so that a later month can be re-run on its own;
alarm contracts and staff are registers, one file per DMW.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import calibration as cal
from . import reference
from .persons import vt_period_arrays
from .population import DAYS_PER_YEAR, NEVER, ZF, Population, step_lookup
from .util import (
    choose_weighted,
    day,
    digit_matrix,
    labels,
    month_index,
    rng_for,
    round_half_up,
    strings_from_matrix,
    text_matrix,
    uniform_days,
)
from .writer import SourceSink, amounts, dates, make_table

DEMENTIA = tuple(cal.DEMENTIA_SHARES)
TYPEMODULES = tuple(cal.TYPEMODULE_SHARES)
CHANNELS = tuple(cal.CHANNEL_SHARES)
HOUSING_KINDS = tuple(cal.HOUSING_KIND_SHARES)
ADVISORS = ("ERGOTHERAPEUT", "MAATSCHAPPELIJK_WERKER")
DEVICES = ("VAST", "MOBIEL")
ROLES = ("LEIDINGGEVENDE", *cal.STAFF_ROLE_SHARES)
GUIDANCE_ROLES = (ROLES.index("MAATSCHAPPELIJK_WERKER"), ROLES.index("ERGOTHERAPEUT"))
BEGELEIDING = np.array([m != "DIRECTE_HULP" for m in TYPEMODULES])
INSPECTION_CHECKS = ("consultation", "housing_practice", "placement_cost", "entitled_reduction")
MISS_VARIANTS = ("too_few_target_groups", "deposit_charged")


def dmw_factor(scale: float) -> float:
    """How much DMW volumes shrink: 10x less than members, never below 0.1 of the full size
    unless the members themselves are tiny, never above full size."""
    return min(1.0, max(scale, min(cal.DMW_MIN_FACTOR, cal.DMW_SCALE_BOOST * scale)))


def _shares(rng, table: dict[str, float], n: int) -> np.ndarray:
    p = np.array(list(table.values()))
    return rng.choice(p.size, size=n, p=p / p.sum())


def _exact_share(rng, n: int, share: float) -> np.ndarray:
    """Exactly ceil(share * n) random elements set: share-based norms hold even for small DMW."""
    out = np.zeros(n, dtype=bool)
    out[rng.choice(n, size=int(np.ceil(share * n)), replace=False)] = True
    return out


def _record_keys(id_column: str, dmw: str, tag: str, n: int, width: int = 6) -> dict[str, pa.Array]:
    """The first two columns of ``n`` records of a DMW: ids ``<dmw>-<tag><number>`` numbered from 1,
    and the DMW."""
    ids = np.hstack([text_matrix(f"{dmw}-{tag}", n), digit_matrix(np.arange(1, n + 1), width)])
    return {id_column: strings_from_matrix(ids), "dmw_code": labels((dmw,), np.zeros(n, "int64"))}


def _days_in_year(rng, n: int, year: int) -> np.ndarray:
    """``n`` days drawn uniformly from 1 January to 31 December of ``year``."""
    return uniform_days(rng, np.full(n, day(year, 1, 1)), np.full(n, day(year, 12, 31)))


class DmwSources:
    """Generates and writes the seven DMW sources."""

    def __init__(self, pop: Population, sinks: dict[str, SourceSink], seed: int, scale: float, defects: bool):
        self.pop, self.sinks, self.seed, self.defects = pop, sinks, seed, defects
        self._vt_periods = None
        self.vte = reference.own_dmw_vte()
        self.dmws = sorted(self.vte)
        self.factor = dmw_factor(scale)
        rng = rng_for(seed, "dmw", "norm_misses")
        # one DMW keeps a member of staff trained too late (misses the training norm every year);
        # every year one DMW misses another norm, alternating between two variants
        self.late_training_dmw = self.dmws[rng.integers(len(self.dmws))]
        self.yearly_miss = {
            y: (self.dmws[rng.integers(len(self.dmws))], MISS_VARIANTS[i % 2]) for i, y in enumerate(pop.years)
        }
        # the checks of the inspection report (004): a separate stream, so the misses above stay put
        rng = rng_for(seed, "dmw", "inspection_misses")
        self.inspection_miss = {
            (check, y): self.dmws[rng.integers(len(self.dmws))] for y in pop.years for check in INSPECTION_CHECKS
        }
        self.qualification_miss_dmw = self.dmws[rng.integers(len(self.dmws))]
        self.cross_dmw = {
            y: tuple(self.dmws[i] for i in rng.choice(len(self.dmws), 2, replace=False)) for y in pop.years
        }

    def misses(self, check: str, year: int, dmw: str) -> bool:
        return self.defects and self.inspection_miss[(check, year)] == dmw

    def ziekenfonds(self, dmw: str) -> int:
        return ZF[dmw.replace("DMW_", "")]

    def volume(self, dmw: str, per_vte: float, minimum: int = 1) -> int:
        return max(minimum, int(round_half_up(per_vte * self.vte[dmw] * self.factor)))

    def members(self, dmw: str, k: int) -> np.ndarray:
        """Persons of the DMW's ziekenfonds at both year-ends around model year k."""
        z = self.ziekenfonds(dmw)
        return np.flatnonzero((self.pop.zf[:, k - 1] == z) & (self.pop.zf[:, k] == z))

    def pick(self, rng, dmw: str, k: int, n: int, distinct: bool) -> np.ndarray:
        """Members of the DMW's ziekenfonds, older persons more often."""
        pool = self.members(dmw, k)
        weights = step_lookup(self.pop.age_at(self.pop.ends[k], pool), cal.DMW_USER_AGE_WEIGHTS)
        if distinct:
            return pool[rng.permutation(choose_weighted(rng, weights, min(n, pool.size)))]
        return pool[rng.choice(pool.size, size=n, p=weights / weights.sum())]

    def write(self, progress) -> None:
        for k, year in enumerate(self.pop.years, start=1):
            for name, build in (
                ("dmw_registrations", self.registrations),
                ("dmw_proactive_actions", self.proactive_actions),
                ("dmw_housing_advice", self.housing_advice),
                ("dmw_aid_loans", self.aid_loans),
            ):
                parts = [build(rng_for(self.seed, name, year, dmw), dmw, k, year) for dmw in self.dmws]
                if name == "dmw_registrations" and self.defects:
                    parts = self._cross_dmw_users(parts, year)
                self._emit_monthly(name, parts, year)
            progress.update(1)
        self.personal_alarms()
        self.staff()

    def _emit_monthly(self, name: str, parts: list[tuple[dict, np.ndarray]], year: int) -> None:
        """One table for the year, ordered by date, written to one file per month."""
        columns = {c: pa.concat_arrays([p[0][c] for p in parts]) for c in parts[0][0]}
        when = np.concatenate([p[1] for p in parts])
        order = np.argsort(when, kind="stable")
        table = make_table(name, columns).take(pa.array(order))
        month = month_index(when[order]) - month_index(day(year, 1, 1))
        suffixes = [f"{year}-{m:02d}" for m in range(1, 13)]
        self.sinks[name].emit(table, suffixes, month, corrections=year == self.pop.years[-1])

    # -- activity sources ------------------------------------------------------------------------

    def registrations(self, rng, dmw: str, k: int, year: int):
        """Users reached (about USERS_PER_VTE per VTE), each with one or more registrations."""
        users = self.pick(rng, dmw, k, self.volume(dmw, cal.USERS_PER_VTE), distinct=True)
        count = 1 + rng.poisson(cal.EXTRA_REGISTRATIONS_PER_USER, users.size)
        handicap = rng.random(users.size) < cal.HANDICAP_SHARE
        dementia = _shares(rng, cal.DEMENTIA_SHARES, users.size)
        zorgbehoefte = _exact_share(rng, users.size, cal.ZORGBEHOEFTE_SHARE)
        pid = np.repeat(users, count)
        n = pid.size
        when = _days_in_year(rng, n, year)
        module = _shares(rng, cal.TYPEMODULE_SHARES, n)
        columns = {
            **_record_keys("registration_id", dmw, f"R{year}-", n),
            "insz": strings_from_matrix(self.pop.insz[pid]),
            "registered_on": dates(when),
            "typemodule": labels(TYPEMODULES, module),
            "handicap": pa.array(np.repeat(handicap, count)),
            "dementia": labels(DEMENTIA, np.repeat(dementia, count)),
            "zorgbehoefte": pa.array(np.repeat(zorgbehoefte, count)),
            "active_consultation": pa.array(
                self._consultation(rng.random(n) < cal.ACTIVE_CONSULTATION_SHARE, BEGELEIDING[module], dmw, year)
            ),
        }
        return columns, when

    def _consultation(self, drawn: np.ndarray, begeleiding: np.ndarray, dmw: str, year: int) -> np.ndarray:
        """Active consultation in every begeleiding (004 §2.3.2); the DMW that misses the check this
        year lacks it on its first CONSULTATION_MISSES begeleiding registrations."""
        consultation = drawn | begeleiding
        if self.misses("consultation", year, dmw):
            missing = np.flatnonzero(begeleiding)[: cal.CONSULTATION_MISSES]
            consultation[missing] = False
            self.sinks["dmw_registrations"].count_quality("begeleiding_without_consultation", missing.size)
        return consultation

    def _cross_dmw_users(self, parts: list[tuple[dict, np.ndarray]], year: int) -> list[tuple[dict, np.ndarray]]:
        """A few users of one DMW are also helped by another DMW of the landsbond (directe hulp), so
        that the landsbond's count of distinct users (004 §2.3.1) differs from the sum of its DMW."""
        home, other = self.cross_dmw[year]
        columns, when = parts[self.dmws.index(other)]
        users = pc.unique(parts[self.dmws.index(home)][0]["insz"])[: cal.CROSS_DMW_USERS_PER_YEAR]
        n = len(users)
        rng = rng_for(self.seed, "dmw_registrations", "cross_dmw", year)
        extra_when = _days_in_year(rng, n, year)
        extra = {
            **_record_keys("registration_id", other, f"RX{year}-", n),
            "insz": users,
            "registered_on": dates(extra_when),
            "typemodule": labels(TYPEMODULES, np.full(n, TYPEMODULES.index("DIRECTE_HULP"), "int64")),
            "handicap": pa.array(np.zeros(n, dtype=bool)),
            "dementia": labels(DEMENTIA, np.full(n, DEMENTIA.index("NONE"), "int64")),
            "zorgbehoefte": pa.array(np.ones(n, dtype=bool)),  # keeps the DMW's zorgbehoefte share
            "active_consultation": pa.array(np.zeros(n, dtype=bool)),
        }
        merged = {c: pa.concat_arrays([columns[c], extra[c].cast(columns[c].type)]) for c in columns}
        self.sinks["dmw_registrations"].count_quality("user_of_two_dmw", n)
        parts = list(parts)
        parts[self.dmws.index(other)] = (merged, np.concatenate([when, extra_when]))
        return parts

    def proactive_actions(self, rng, dmw: str, k: int, year: int):
        """Proactive actions towards 6-8 target groups (4 for a DMW that misses the norm)."""
        n_groups = int(rng.integers(cal.PROACTIVE_GROUPS_PER_DMW_YEAR[0], cal.PROACTIVE_GROUPS_PER_DMW_YEAR[1] + 1))
        if self.defects and self.yearly_miss[year] == (dmw, "too_few_target_groups"):
            n_groups = cal.TOO_FEW_TARGET_GROUPS
            self.sinks["dmw_proactive_actions"].count_quality("too_few_target_groups", 1)
        groups = rng.choice(len(cal.PROACTIVE_TARGET_GROUPS), size=n_groups, replace=False)
        n = self.volume(dmw, cal.PROACTIVE_ACTIONS_PER_VTE, minimum=3 * n_groups)
        group = np.where(np.arange(n) < n_groups, np.arange(n) % n_groups, rng.integers(0, n_groups, n))
        pid = self.pick(rng, dmw, k, n, distinct=False)
        when = _days_in_year(rng, n, year)
        columns = {
            **_record_keys("action_id", dmw, f"P{year}-", n),
            "insz": strings_from_matrix(self.pop.insz[pid]),
            "target_group": labels(cal.PROACTIVE_TARGET_GROUPS, groups[group]),
            "action_date": dates(when),
            "channel": labels(CHANNELS, _shares(rng, cal.CHANNEL_SHARES, n)),
            "follow_up": pa.array(_exact_share(rng, n, cal.PROACTIVE_FOLLOW_UP_SHARE)),
        }
        return columns, when

    def housing_advice(self, rng, dmw: str, k: int, year: int):
        n = self.volume(dmw, cal.HOUSING_ADVICE_PER_VTE)
        pid = self.pick(rng, dmw, k, n, distinct=False)
        when = _days_in_year(rng, n, year)
        kind = _shares(rng, cal.HOUSING_KIND_SHARES, n)
        visit = rng.random(n) < cal.HOUSING_HOME_VISIT_SHARE
        advisor = (rng.random(n) >= cal.HOUSING_ERGOTHERAPEUT_SHARE).astype("int64")
        visit, advisor = self._housing_practice(kind, visit, advisor, dmw, year)
        columns = {
            **_record_keys("advice_id", dmw, f"H{year}-", n),
            "insz": strings_from_matrix(self.pop.insz[pid]),
            "advice_date": dates(when),
            "kind": labels(HOUSING_KINDS, kind),
            "home_visit": pa.array(visit),
            "advisor_role": labels(ADVISORS, advisor),
        }
        return columns, when

    def _housing_practice(self, kind, visit, advisor, dmw: str, year: int):
        """An advice on adapting the home comes with a home visit by an ergotherapeut (004 §2.3.5);
        the DMW that misses the check this year gives one without home visit and one by a
        maatschappelijk werker."""
        home = kind == HOUSING_KINDS.index("WONINGAANPASSING")
        visit, advisor = visit | home, np.where(home, ADVISORS.index("ERGOTHERAPEUT"), advisor)
        if self.misses("housing_practice", year, dmw):
            missing = np.flatnonzero(home)[: cal.HOUSING_PRACTICE_MISSES]
            visit[missing[:1]] = False
            advisor[missing[1:]] = ADVISORS.index("MAATSCHAPPELIJK_WERKER")
            self.sinks["dmw_housing_advice"].count_quality("housing_advice_not_compliant", missing.size)
        return visit, advisor

    def aid_loans(self, rng, dmw: str, k: int, year: int):
        """Loans of aids; the first loans of the year cover MIN_AID_TYPES_WITH_ADVICE distinct
        types with advice, so the AID_TYPES norm is met at any scale."""
        n = self.volume(dmw, cal.AID_LOANS_PER_VTE, minimum=cal.MIN_AID_LOANS_PER_DMW_YEAR)
        covered = cal.MIN_AID_TYPES_WITH_ADVICE
        aid = np.where(
            np.arange(n) < covered,
            rng.permutation(len(cal.AID_TYPES))[np.arange(n) % covered],
            rng.integers(0, len(cal.AID_TYPES), n),
        )
        advice = (np.arange(n) < covered) | (rng.random(n) < cal.AID_ADVICE_SHARE)
        pid = self.pick(rng, dmw, k, n, distinct=False)
        when = _days_in_year(rng, n, year)
        columns = {
            **_record_keys("loan_id", dmw, f"L{year}-", n),
            "insz": strings_from_matrix(self.pop.insz[pid]),
            "aid_type": labels(cal.AID_TYPES, aid),
            "loan_date": dates(when),
            "advice_given": pa.array(advice),
        }
        return columns, when

    # -- personal alarms -------------------------------------------------------------------------

    def personal_alarms(self) -> None:
        for dmw in self.dmws:
            rng = rng_for(self.seed, "dmw_personal_alarms", dmw)
            c = self._alarm_contracts(rng, dmw)
            self._reduce_for_vt_holders(c, dmw)
            self._ensure_reduction_offered(c)
            deposit = np.zeros(c["pid"].size)
            if self.defects:
                deposit = self._deposit_miss(rng, dmw, c, deposit)
            n = c["pid"].size
            device = (rng.random(n) >= cal.ALARM_VAST_SHARE).astype("int64")
            price = np.array([cal.ALARM_MONTHLY_EUR[d] for d in DEVICES])[device]
            reduced = c["reduced"]
            table = make_table(
                "dmw_personal_alarms",
                {
                    **_record_keys("contract_id", dmw, "PA-", n),
                    "insz": strings_from_matrix(self.pop.insz[c["pid"]]),
                    "device_type": labels(DEVICES, device),
                    "start_date": dates(c["start"]),
                    "end_date": dates(c["end"], c["end"] == NEVER),
                    "monthly_contribution": amounts(np.where(reduced, cal.ALARM_REDUCED_MONTHLY_EUR, price)),
                    "reduced_contribution": pa.array(reduced),
                    "reduction_automatic": pa.array(reduced & (dmw in cal.ALARM_AUTOMATIC_REDUCTION_DMW)),
                    "placement_cost": amounts(
                        self._placement_costs(rng.choice(cal.ALARM_PLACEMENT_COST_EUR, n), c, dmw)
                    ),
                    "deposit": amounts(deposit),
                },
            )
            self.sinks["dmw_personal_alarms"].emit(table, [dmw])

    def _vt_on(self, pid: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Whether person ``pid`` has a VT period (as written to vt_periods) covering day ``when``."""
        if self._vt_periods is None:
            self._vt_periods = vt_period_arrays(self.pop, 0, self.pop.zf.shape[0])
        start_pid, start, end = self._vt_periods
        keys = start_pid.astype("int64") * (1 << 32) + start
        at = np.searchsorted(keys, pid.astype("int64") * (1 << 32) + when, side="right") - 1
        found = at >= 0
        at = np.maximum(at, 0)
        return found & (start_pid[at] == pid) & (start[at] <= when) & (end[at] >= when)

    def _reduce_for_vt_holders(self, c: dict[str, np.ndarray], dmw: str) -> None:
        """Every holder with VT on the contract's start date gets the reduced contribution (004
        §2.3.7, R01); the DMW that misses the check in a year does not give it on a contract started
        that year."""
        entitled = self._vt_on(c["pid"], c["start"])
        c["reduced"] |= entitled
        for year in self.pop.years:
            if self.misses("entitled_reduction", year, dmw):
                started = np.flatnonzero(entitled & (c["start"] >= day(year, 1, 1)) & (c["start"] <= day(year, 12, 31)))
                c["reduced"][started[: cal.ENTITLED_WITHOUT_REDUCTION]] = False
                self.sinks["dmw_personal_alarms"].count_quality(
                    "entitled_without_reduction", min(started.size, cal.ENTITLED_WITHOUT_REDUCTION)
                )

    def _placement_costs(self, cost: np.ndarray, c: dict[str, np.ndarray], dmw: str) -> np.ndarray:
        """Within the maximum (004 §2.3.7, N09), except one contract started in the year of a miss."""
        cost = cost.astype(float)
        for year in self.pop.years:
            if self.misses("placement_cost", year, dmw):
                started = np.flatnonzero((c["start"] >= day(year, 1, 1)) & (c["start"] <= day(year, 12, 31)))
                cost[started[:1]] = cal.ALARM_PLACEMENT_COST_DEFECT_EUR
                self.sinks["dmw_personal_alarms"].count_quality("placement_cost_above_max", min(started.size, 1))
        return cost

    def _alarm_contracts(self, rng, dmw: str) -> dict[str, np.ndarray]:
        """A stock of running contracts before the first year, then every year enough new ones to
        have ALARMS_ACTIVE_PER_VTE running; each ends with a yearly probability or when the person
        leaves the landsbond."""
        pop = self.pop
        target = max(1, int(round_half_up(cal.ALARMS_ACTIVE_PER_VTE * self.vte[dmw] * self.factor)))
        base_pool = np.flatnonzero(pop.zf[:, 0] == self.ziekenfonds(dmw))
        weights = step_lookup(pop.age_at(pop.ends[0], base_pool), cal.DMW_USER_AGE_WEIGHTS) ** 2
        n0 = int(round_half_up(target * (1 - cal.ALARM_YEARLY_TERMINATION)))
        pid = base_pool[choose_weighted(rng, weights, min(n0, base_pool.size))]
        oldest = pop.ends[0] - int(cal.ALARM_STOCK_MAX_AGE_YEARS * DAYS_PER_YEAR)
        start = uniform_days(rng, np.maximum(pop.entry[pid], oldest), np.full(pid.size, pop.ends[0]))
        pids, starts, ends = [pid], [start], [self._alarm_ends(rng, pid, pop.years[0] - 1)]
        for k, year in enumerate(pop.years, start=1):
            jan1 = day(year, 1, 1)
            running = sum(int(((s < jan1) & (e >= jan1)).sum()) for s, e in zip(starts, ends))
            pid = self.pick(rng, dmw, k, max(0, target - running), distinct=True)
            pids.append(pid)
            starts.append(_days_in_year(rng, pid.size, year))
            ends.append(self._alarm_ends(rng, pid, year))
        pid = np.concatenate(pids)
        return {
            "pid": pid,
            "start": np.concatenate(starts),
            "end": np.concatenate(ends),
            "reduced": rng.random(pid.size) < cal.ALARM_REDUCED_SHARE,
        }

    def _alarm_ends(self, rng, pid: np.ndarray, start_year: int) -> np.ndarray:
        """End of contracts started in ``start_year``: terminated in a later year with the yearly
        probability, or on the day the person leaves; NEVER when still running."""
        last = self.pop.years[-1]
        stop = np.minimum(start_year + rng.geometric(cal.ALARM_YEARLY_TERMINATION, pid.size), last + 1)
        first_day = np.array([day(int(y), 1, 1) for y in range(start_year + 1, last + 2)])
        offset = stop - start_year - 1
        end = first_day[offset] + np.floor(rng.random(pid.size) * 365).astype("int64")
        end = np.where(stop > last, NEVER, end)
        return np.minimum(end, self.pop.exit[pid])

    def _active_in(self, c: dict[str, np.ndarray], year: int) -> np.ndarray:
        return (c["start"] <= day(year, 12, 31)) & (c["end"] >= day(year, 1, 1))

    def _ensure_reduction_offered(self, c: dict[str, np.ndarray]) -> None:
        """At least one contract with a reduced contribution is active in every year."""
        for year in self.pop.years:
            active = np.flatnonzero(self._active_in(c, year))
            if active.size and not c["reduced"][active].any():
                c["reduced"][active[0]] = True

    def _deposit_miss(self, rng, dmw: str, c: dict[str, np.ndarray], deposit: np.ndarray) -> np.ndarray:
        """Norm miss: a deposit charged on one contract active in the year of the miss."""
        deposit = deposit.copy()
        for year, (who, variant) in self.yearly_miss.items():
            active = np.flatnonzero(self._active_in(c, year))
            if who == dmw and variant == "deposit_charged" and active.size:
                deposit[rng.choice(active)] = cal.ALARM_DEPOSIT_DEFECT_EUR
        self.sinks["dmw_personal_alarms"].count_quality("deposit_charged", int((deposit > 0).sum()))
        return deposit

    # -- staff -----------------------------------------------------------------------------------

    def staff(self) -> None:
        for dmw in self.dmws:
            rng = rng_for(self.seed, "dmw_staff", dmw)
            s = self._staff_members(rng, dmw)
            n = s["role"].size
            table = make_table(
                "dmw_staff",
                {
                    **_record_keys("staff_id", dmw, "S", n, width=4),
                    "role": labels(ROLES, s["role"]),
                    "fte": amounts(s["fte"]),
                    "hired_on": dates(s["hired"]),
                    "left_on": dates(s["left"], s["left"] == NEVER),
                    "dementia_training_on": dates(s["trained"], s["trained"] == NEVER),
                    "qualification": self._qualifications(s, dmw),
                },
            )
            self.sinks["dmw_staff"].emit(table, [dmw])

    def _qualifications(self, s: dict[str, np.ndarray], dmw: str) -> pa.Array:
        """A recognised qualification for every guidance worker (004 §2.2.2); in the DMW that misses
        the check, one guidance worker hired since 2020 has a diploma that is not recognised and one
        has none registered."""
        rng = rng_for(self.seed, "dmw_staff_qualification", dmw)
        codes = [cal.STAFF_QUALIFICATIONS[ROLES[r]] for r in s["role"]]
        values = [options[rng.integers(len(options))] for options in codes]
        if self.defects and dmw == self.qualification_miss_dmw:
            recent = np.flatnonzero(
                np.isin(s["role"], GUIDANCE_ROLES) & (s["hired"] >= day(2020, 1, 1)) & (s["left"] == NEVER)
            )
            for index, value in zip(recent[:2], (cal.UNRECOGNISED_QUALIFICATION, "")):
                values[index] = value
            self.sinks["dmw_staff"].count_quality("qualification_not_shown", min(recent.size, 2))
        return pa.array([v or None for v in values], type=pa.string())

    def _staff_members(self, rng, dmw: str) -> dict[str, np.ndarray]:
        """About VTE/0.85 people with roles and hire dates; some leave every year and are
        replaced; staff with a guidance task are trained in dementia care within 24 months."""
        pop = self.pop
        n = max(2, int(round_half_up(self.vte[dmw] / cal.STAFF_VTE_PER_PERSON)))
        leaders = max(1, int(round_half_up(n * cal.STAFF_LEADER_SHARE)))
        role = np.concatenate([np.zeros(leaders, "int64"), 1 + _shares(rng, cal.STAFF_ROLE_SHARES, n - leaders)])
        hired = uniform_days(rng, np.full(n, day(cal.STAFF_FIRST_HIRE_YEAR, 1, 1)), np.full(n, pop.ends[0]))
        left = np.full(n, NEVER, dtype="int64")
        for year in pop.years:
            employed = np.flatnonzero((left == NEVER) & (hired < day(year, 1, 1) - 30))
            go = rng.choice(employed, size=int(round_half_up(employed.size * cal.STAFF_YEARLY_TURNOVER)), replace=False)
            left[go] = _days_in_year(rng, go.size, year)
            delay = cal.STAFF_REPLACEMENT_DELAY_DAYS
            successor = left[go] + rng.integers(delay[0], delay[1] + 1, go.size)
            keep = successor <= pop.ends[-1]
            role = np.concatenate([role, role[go][keep]])
            hired = np.concatenate([hired, successor[keep]])
            left = np.concatenate([left, np.full(int(keep.sum()), NEVER, dtype="int64")])
        guidance = np.isin(role, GUIDANCE_ROLES)
        trained = hired + rng.integers(*cal.DEMENTIA_TRAINING_DELAY_DAYS, role.size)
        trained = np.where(guidance & (trained <= pop.ends[-1]), trained, NEVER)
        if self.defects and dmw == self.late_training_dmw:
            trained = self._late_training(rng, role, hired, left, trained)
        fte = rng.choice(
            cal.STAFF_FTE_OPTIONS, size=role.size, p=np.array(cal.STAFF_FTE_WEIGHTS) / sum(cal.STAFF_FTE_WEIGHTS)
        )
        return {"role": role, "hired": hired, "left": left, "trained": trained, "fte": fte}

    def _late_training(self, rng, role, hired, left, trained) -> np.ndarray:
        """Norm miss in every year: a long-serving guidance worker trained after 24 months."""
        y0 = self.pop.years[0]
        pool = np.flatnonzero(np.isin(role, GUIDANCE_ROLES) & (left == NEVER) & (hired < day(y0 - 3, 1, 1)))
        if pool.size == 0:
            return trained
        late = rng.choice(pool)
        trained = trained.copy()
        late_day = hired[late] + int(rng.integers(*cal.LATE_TRAINING_DELAY_DAYS))
        trained[late] = late_day if late_day <= self.pop.ends[-1] else NEVER
        self.sinks["dmw_staff"].count_quality("late_dementia_training", 1)
        return trained

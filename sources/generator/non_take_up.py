"""The non-take-up sources of SPEC §5b: member_indicators, vt_mailings and right_renewals.

They are laid over the person model without changing it, so every other source keeps its bytes
and the solidaris profile still reproduces the published VT stock:
- members who obtain VT after a letter are members whose VT period the model already starts; their
  letter is dated weeks to months before that start (a weekly batch, on a Tuesday);
- the other letters go to adult members without VT from 1 January of the letter's year until a
  year after its end, so that they cannot convert by accident; members first mailed the year
  before are written to again 53 weeks after that letter (``is_reminder``; in the first generated
  year their first letter predates the landing zone); a few get a second letter for another
  indicator;
- a few letters go to members who already have VT (a data-quality signal, counted in the manifest);
- every letter's indicator is a ``member_indicators`` period covering the letter; members with VT
  and members whose situation became known in the last weeks of a year (not mailed yet) have
  indicators too;
- every member at 31/12 of ``right_year - 1`` gets one renewal row for ``right_year``, with the
  outcome shares of seed 002 (exact counts) and the timing of the campaign: June, July-August,
  September-October, the November letter, the weeks after it, and the right year itself.

Volumes and rates come from ``reference.non_take_up_figures()``; the rest is in ``calibration``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sources.contract import RENEWAL_OUTCOMES, VT_INDICATORS, ZIEKENFONDSEN

from . import calibration as cal
from . import reference
from .persons import home_zf, insz_strings, vt_period_arrays
from .population import ABSENT, DAYS_PER_YEAR, NEVER, Population, step_lookup
from .util import (
    add_years,
    choose_weighted,
    day,
    digit_matrix,
    labels,
    largest_remainder,
    rng_for,
    round_half_up,
    strings_from_matrix,
    text_matrix,
    uniform_days,
)
from .writer import SourceSink, dates, make_table

NONE = -1
YEAR_DAYS = 365
REMINDER_WEEKS = 53  # "still without VT after a year": the first batch after the 365-day window
RENEWAL_CHUNK = 500_000


def batch_on_or_before(days: np.ndarray) -> np.ndarray:
    """The mailing batch day (weekday ``MAILING_WEEKDAY``) on or before each day (1/1/1970 was a Thursday)."""
    days = np.asarray(days, dtype="int64")
    return days - (days + 3 - cal.MAILING_WEEKDAY) % 7


def batch_days(year: int) -> np.ndarray:
    first = int(batch_on_or_before(np.array([day(year, 1, 7)]))[0])
    return np.arange(first, day(year, 12, 31) + 1, 7, dtype="int64")


def renewal_shares(figures: dict[str, float]) -> np.ndarray:
    """Share of each outcome (RENEWAL_OUTCOMES order) from the published cumulative funnel."""
    reviewed = figures["without_contact"] - figures["auto_june"]
    auto_later = reviewed * cal.AUTO_LATER_SHARE_OF_REVIEWED
    shares = np.array(
        [
            figures["auto_june"],
            auto_later,
            reviewed - auto_later,
            figures["letters_sent"] - figures["without_right_at_year_end"],
            figures["without_right_at_year_end"] - figures["without_right_final"],
            figures["without_right_final"],
        ]
    )
    if (shares < 0).any() or abs(shares.sum() - 1) > 1e-9:
        raise ValueError(
            "key_facts_other.csv: the renewal figures of seed 002 do not form a funnel "
            f"(auto_june {figures['auto_june']}, without_contact {figures['without_contact']}, letters_sent "
            f"{figures['letters_sent']}, without_right_at_year_end {figures['without_right_at_year_end']}, "
            f"without_right_final {figures['without_right_final']}): expected letters_sent = 1 - without_contact"
        )
    return shares


class NonTakeUpSources:
    """Generates and writes member_indicators, vt_mailings and right_renewals."""

    def __init__(self, pop: Population, sinks: dict[str, SourceSink], seed: int, scale: float, defects: bool):
        self.pop, self.sinks, self.seed, self.defects = pop, sinks, seed, defects
        self.figures = reference.non_take_up_figures()
        self.mailed_per_year = int(round_half_up(self.figures["mailed_per_year"] * scale))
        n = pop.size
        self.adult = add_years(pop.birth.astype("int64"), cal.MAILING_MIN_AGE)
        self.indicator = np.full(n, NONE, dtype="int8")  # the situation printed in a first letter
        self.indicator_start = np.full(n, NEVER, dtype="int64")
        self.last_letter = np.full(n, NONE, dtype="int64")
        self.mailed_ever = np.zeros(n, dtype=bool)
        self.mailed_last_year = np.zeros(n, dtype=bool)
        self.reminder_due = np.full(n, NEVER, dtype="int64")
        self.letters: list[tuple[int, dict[str, np.ndarray]]] = []
        self.extra_indicators: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # pid, indicator, start

    def write(self, progress) -> None:
        pop = self.pop
        pid, start, end = vt_period_arrays(pop, 0, pop.size)
        same = np.r_[False, pid[1:] == pid[:-1]]
        self.vt = {
            "pid": pid,
            "start": start,
            "end": end,
            "prev_end": np.where(same, np.r_[-NEVER, end[:-1]], -NEVER),
            "used": np.zeros(pid.size, bool),
        }
        for k, year in enumerate(pop.years, start=1):
            self._mail_year(k, year)
        self._write_mailings()
        self._write_indicators()
        for k, year in enumerate(pop.years, start=1):
            self._write_renewals(k, year)
        progress.update(1)

    # -- letters ---------------------------------------------------------------------------------

    def _indicator_weights(self, pid: np.ndarray, when: np.ndarray) -> np.ndarray:
        age = (np.asarray(when) - self.pop.birth[pid]) / DAYS_PER_YEAR
        return np.column_stack([step_lookup(age, cal.INDICATOR_AGE_WEIGHTS[c]) for c in VT_INDICATORS])

    def _draw_indicator(self, rng, weights: np.ndarray) -> np.ndarray:
        cumulative = np.cumsum(weights, axis=1)
        pick = rng.random(weights.shape[0]) * cumulative[:, -1]
        return (cumulative <= pick[:, None]).sum(axis=1).clip(0, weights.shape[1] - 1)

    def _converted(self, rng, year: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Up to n members whose VT starts weeks to months after a letter of ``year``: (person,
        letter day, is_reminder, index of the VT period)."""
        pop, vt = self.pop, self.vt
        jan1, dec31 = day(year, 1, 1), day(year, 12, 31)
        idx = np.flatnonzero(
            ~vt["used"] & (vt["start"] >= jan1 + cal.CONVERSION_DELAY_MIN_DAYS) & (vt["start"] <= dec31 + YEAR_DAYS)
        )
        p, s = vt["pid"][idx], vt["start"][idx]
        low = np.maximum.reduce(
            [
                np.full(idx.size, jan1),
                s - YEAR_DAYS,
                pop.entry[p].astype("int64"),
                vt["prev_end"][idx] + 1,
                self.adult[p],
            ]
        )
        high = np.minimum(dec31, s - cal.CONVERSION_DELAY_MIN_DAYS)
        delay = cal.CONVERSION_DELAY_MIN_DAYS + np.floor(rng.gamma(*cal.CONVERSION_DELAY_GAMMA, idx.size)).astype(
            "int64"
        )
        letter = batch_on_or_before(s - delay)
        due = self.reminder_due[p]
        reminder = due != NEVER
        letter = np.where(reminder, due, letter)
        # a member mailed last year is written to again only as a reminder
        ok = (letter >= low) & (letter <= high) & (reminder | ~self.mailed_last_year[p])
        cand = np.flatnonzero(ok)[rng.permutation(int(ok.sum()))]
        _, first = np.unique(p[cand], return_index=True)  # one VT start per member and year
        cand = np.sort(cand[np.sort(first)][:n])
        return p[cand], letter[cand], reminder[cand], idx[cand]

    def _mail_year(self, k: int, year: int) -> None:
        pop, vt = self.pop, self.vt
        rng = rng_for(self.seed, "non_take_up", "mailings", year)
        jan1, dec31 = day(year, 1, 1), day(year, 12, 31)
        weeks = batch_days(year)
        total = self.mailed_per_year
        conv_pid, conv_day, conv_rem, conv_period = self._converted(
            rng, year, int(round_half_up(total * self.figures["converted_within_year"]))
        )
        vt["used"][conv_period] = True
        taken = np.zeros(pop.size, dtype=bool)
        taken[conv_pid] = True
        present = (pop.zf[:, k - 1] != ABSENT) & (pop.zf[:, k] != ABSENT) & (self.adult <= jan1)

        # members who have VT during the whole year and the next: a letter is a selection error
        n_with_vt = max(1, int(round_half_up(total * cal.MAILED_WITH_VT_SHARE))) if self.defects else 0
        covering = (vt["start"] < jan1) & ((vt["end"] == NEVER) | (vt["end"] >= dec31 + YEAR_DAYS))
        with_vt_pool = np.zeros(pop.size, dtype=bool)
        with_vt_pool[vt["pid"][covering]] = True
        with_vt_pool &= present & ~taken & ~self.mailed_last_year
        with_vt = choose_weighted(rng, with_vt_pool.astype("float64"), min(n_with_vt, int(with_vt_pool.sum())))
        taken[with_vt] = True
        self.sinks["vt_mailings"].count_quality("mailed_with_vt", with_vt.size)

        # members without VT from 1/1 until a year after the end of the year: they do not convert
        no_vt = np.ones(pop.size, dtype=bool)
        no_vt[vt["pid"][(vt["start"] <= dec31 + YEAR_DAYS) & (vt["end"] >= jan1)]] = False
        eligible = present & no_vt & ~taken
        remaining = max(total - conv_pid.size - with_vt.size, 0)
        n_reminders = min(int(round_half_up(remaining * cal.REMINDER_SHARE_OF_LETTERS)), remaining)
        if k == 1:  # their first letter is older than the landing zone: any member never mailed in it
            due = np.flatnonzero(eligible)
            due_on = rng.choice(weeks, due.size)
        else:
            due = np.flatnonzero(eligible & (self.reminder_due <= dec31))
            due_on = self.reminder_due[due]
        chosen = np.sort(rng.permutation(due.size)[:n_reminders])
        reminded, reminded_on = due[chosen], due_on[chosen]
        taken[reminded] = True
        new_pool = eligible & ~taken & ~self.mailed_ever
        age_weight = self._indicator_weights(np.arange(pop.size), np.full(pop.size, dec31)).sum(axis=1)
        n_new = min(remaining - reminded.size, int(new_pool.sum()))
        new = choose_weighted(rng, np.where(new_pool, age_weight, 0.0), n_new)

        pid = np.concatenate([conv_pid, with_vt, reminded, new])
        sent = np.concatenate([conv_day, rng.choice(weeks, with_vt.size), reminded_on, rng.choice(weeks, new.size)])
        is_reminder = np.concatenate(
            [conv_rem, np.zeros(with_vt.size, bool), np.ones(reminded.size, bool), np.zeros(new.size, bool)]
        )
        self._give_indicators(rng, pid, sent, is_reminder)
        self._letters(year, pid, sent, self.indicator[pid], is_reminder)
        self._second_letters(rng, year, new, sent[sent.size - new.size :])

        # next year: the members mailed now, and who is due for a reminder (not reminded twice)
        self.mailed_ever[pid] = True
        self.mailed_last_year[:] = False
        self.mailed_last_year[pid] = True
        self.reminder_due[:] = NEVER
        self.reminder_due[new] = sent[sent.size - new.size :] + 7 * REMINDER_WEEKS
        self._late_candidates(rng, year, eligible & ~taken & ~self.mailed_ever & (self.indicator == NONE))

    def _give_indicators(self, rng, pid: np.ndarray, sent: np.ndarray, is_reminder: np.ndarray) -> None:
        """A known situation for every member mailed for the first time, starting before the letter
        (before the first letter, a year earlier, for a reminder)."""
        fresh = self.indicator[pid] == NONE
        p, when = pid[fresh], sent[fresh]
        self.indicator[p] = self._draw_indicator(rng, self._indicator_weights(p, when))
        lead = rng.integers(cal.INDICATOR_LEAD_DAYS[0], cal.INDICATOR_LEAD_DAYS[1] + 1, p.size)
        lead += np.where(is_reminder[fresh], 7 * REMINDER_WEEKS, 0)
        self.indicator_start[p] = np.maximum(when - lead, self.adult[p])

    def _letters(self, year: int, pid, sent, indicator, is_reminder) -> None:
        self.letters.append(
            (
                year,
                {"pid": pid, "sent": sent, "indicator": np.asarray(indicator, dtype="int64"), "reminder": is_reminder},
            )
        )
        np.maximum.at(self.last_letter, pid, sent)

    def _second_letters(self, rng, year: int, new: np.ndarray, first_sent: np.ndarray) -> None:
        """A second letter within the year for another indicator of a newly mailed member."""
        chosen = np.flatnonzero(rng.random(new.size) < cal.SECOND_LETTER_SHARE)
        weeks = rng.integers(cal.SECOND_LETTER_DELAY_WEEKS[0], cal.SECOND_LETTER_DELAY_WEEKS[1] + 1, chosen.size)
        sent = first_sent[chosen] + 7 * weeks
        keep = sent <= day(year, 12, 31)
        p, sent = new[chosen][keep], sent[keep]
        weights = self._indicator_weights(p, sent)
        weights[np.arange(p.size), self.indicator[p]] = 0.0
        has_other = weights.sum(axis=1) > 0
        p, sent, weights = p[has_other], sent[has_other], weights[has_other]
        if p.size == 0:
            return
        other = self._draw_indicator(rng, weights)
        start = np.maximum(sent - rng.integers(7, 120, p.size), self.adult[p])
        self.extra_indicators.append((p, other, start))
        self._letters(year, p, sent, other, np.zeros(p.size, bool))

    def _late_candidates(self, rng, year: int, pool: np.ndarray) -> None:
        """Situations that became known in the last weeks of the year: candidates not mailed yet."""
        n = min(int(round_half_up(self.mailed_per_year * cal.LATE_CANDIDATES_SHARE_OF_MAILED)), int(pool.sum()))
        p = choose_weighted(rng, pool.astype("float64"), n)
        dec31 = day(year, 12, 31)
        self.indicator[p] = self._draw_indicator(rng, self._indicator_weights(p, np.full(p.size, dec31)))
        self.indicator_start[p] = np.maximum(
            dec31 - rng.integers(0, 7 * cal.LATE_CANDIDATE_WEEKS, p.size), self.adult[p]
        )

    def _write_mailings(self) -> None:
        sink = self.sinks["vt_mailings"]
        for year in self.pop.years:
            parts = [part for letter_year, part in self.letters if letter_year == year]
            pid = np.concatenate([part["pid"] for part in parts])
            sent = np.concatenate([part["sent"] for part in parts])
            order = np.lexsort((pid, sent))
            pid, sent = pid[order], sent[order]
            indicator = np.concatenate([part["indicator"] for part in parts])[order]
            reminder = np.concatenate([part["reminder"] for part in parts])[order]
            n = pid.size
            table = make_table(
                "vt_mailings",
                {
                    "mailing_id": strings_from_matrix(
                        np.hstack([text_matrix(f"VTM{year}-", n), digit_matrix(np.arange(1, n + 1), 7)])
                    ),
                    "insz": insz_strings(self.pop, pid),
                    "sent_on": dates(sent),
                    "indicator": labels(VT_INDICATORS, indicator),
                    "is_reminder": pa.array(reminder.astype(bool)),
                },
            )
            sink.emit(table, [str(year)], corrections=year == self.pop.years[-1])

    # -- indicators ------------------------------------------------------------------------------

    def _write_indicators(self) -> None:
        pop = self.pop
        rng = rng_for(self.seed, "non_take_up", "indicators")
        self._vt_member_indicators(rng)
        primary = np.flatnonzero(self.indicator != NONE)
        end = np.full(primary.size, NEVER, dtype="int64")
        ends = rng.random(primary.size) < cal.INDICATOR_END_SHARE
        mailed = self.last_letter[primary] != NONE
        gap = rng.integers(
            cal.INDICATOR_END_DAYS_AFTER_LAST_LETTER[0], cal.INDICATOR_END_DAYS_AFTER_LAST_LETTER[1] + 1, primary.size
        )
        after = np.where(mailed, self.last_letter[primary], self.indicator_start[primary])
        end[ends] = np.minimum(after[ends] + gap[ends], pop.ends[-1] + YEAR_DAYS)
        pid = [primary] + [e[0] for e in self.extra_indicators]
        code = [self.indicator[primary].astype("int64")] + [e[1].astype("int64") for e in self.extra_indicators]
        start = [self.indicator_start[primary]] + [e[2].astype("int64") for e in self.extra_indicators]
        stop = [end] + [np.full(e[0].size, NEVER, dtype="int64") for e in self.extra_indicators]
        pid, code, start, stop = (np.concatenate(x) for x in (pid, code, start, stop))
        order = np.lexsort((start, code, pid))
        pid, code, start, stop = pid[order], code[order], start[order], stop[order]
        table = make_table(
            "member_indicators",
            {
                "insz": insz_strings(pop, pid),
                "indicator": labels(VT_INDICATORS, code),
                "start_date": dates(start),
                "end_date": dates(stop, stop == NEVER),
            },
        )
        self.sinks["member_indicators"].emit(table, list(ZIEKENFONDSEN), home_zf(pop, pid))

    def _vt_member_indicators(self, rng) -> None:
        """Most members with VT also have a known situation, from before their first VT start."""
        vt = self.vt
        first_start = np.full(self.pop.size, NEVER, dtype="int64")
        np.minimum.at(first_start, vt["pid"], vt["start"])
        pool = np.flatnonzero((first_start != NEVER) & (self.indicator == NONE) & (self.adult <= self.pop.ends[-1]))
        p = np.sort(pool[rng.random(pool.size) < cal.VT_MEMBERS_WITH_INDICATOR_SHARE])
        when = np.maximum(first_start[p], self.adult[p])
        self.indicator[p] = self._draw_indicator(rng, self._indicator_weights(p, when))
        lead = rng.integers(cal.INDICATOR_LEAD_DAYS[0], cal.INDICATOR_LEAD_DAYS[1] + 1, p.size)
        self.indicator_start[p] = np.maximum(when - lead, self.adult[p])

    # -- renewals --------------------------------------------------------------------------------

    def _write_renewals(self, k: int, right_year: int) -> None:
        """Every member at 31/12 of right_year - 1 (state k - 1), outcomes in the published shares."""
        pop = self.pop
        rng = rng_for(self.seed, "non_take_up", "renewals", right_year)
        pid = np.flatnonzero(pop.zf[:, k - 1] != ABSENT)
        n = pid.size
        counts = largest_remainder(n, renewal_shares(self.figures))
        outcome = np.repeat(np.arange(len(RENEWAL_OUTCOMES)), counts)[rng.permutation(n)]
        campaign = right_year - 1

        def between(first: tuple[int, int], last: tuple[int, int], size: int, year: int = campaign) -> np.ndarray:
            return uniform_days(rng, np.full(size, day(year, *first)), np.full(size, day(year, *last)))

        decided = np.full(n, NEVER, dtype="int64")
        letter = np.full(n, NEVER, dtype="int64")
        by_code = {code: np.flatnonzero(outcome == i) for i, code in enumerate(RENEWAL_OUTCOMES)}
        for code, window in (
            ("AUTO_JUNE", cal.AUTO_JUNE_DAYS),
            ("AUTO_LATER", cal.AUTO_LATER_DAYS),
            ("PROVINCIAL_REVIEW", cal.PROVINCIAL_REVIEW_DAYS),
        ):
            decided[by_code[code]] = between(*window, by_code[code].size)
        written = np.concatenate([by_code["AFTER_LETTER"], by_code["REGULARISED_LATE"], by_code["NO_RIGHT"]])
        letter[written] = between(*cal.RENEWAL_LETTER_DAYS, written.size)
        after = by_code["AFTER_LETTER"]
        decided[after] = uniform_days(
            rng, letter[after] + cal.AFTER_LETTER_MIN_DAYS, np.full(after.size, day(campaign, 12, 31))
        )
        late = by_code["REGULARISED_LATE"]
        decided[late] = between((1, 1), (12, 31), late.size, right_year)
        sink = self.sinks["right_renewals"]
        for lo in range(0, n, RENEWAL_CHUNK):
            part = slice(lo, min(lo + RENEWAL_CHUNK, n))
            table = make_table(
                "right_renewals",
                {
                    "insz": insz_strings(pop, pid[part]),
                    "right_year": pa.array(np.full(pid[part].size, right_year, dtype="int32")),
                    "outcome": labels(RENEWAL_OUTCOMES, outcome[part]),
                    "decided_on": dates(decided[part], decided[part] == NEVER),
                    "letter_sent_on": dates(letter[part], letter[part] == NEVER),
                },
            )
            sink.emit(table, [str(right_year)], corrections=right_year == pop.years[-1])

"""Ingestion inserts each checked slice on a second thread while the next slice is checked
(``sources.ingest.InOrderAppender``): the slices arrive in order, one at a time, and an error of
the insert reaches the ingestion, which then rolls its transaction back."""

from __future__ import annotations

import threading
import time

import polars as pl
import pytest

from sources.ingest import InOrderAppender


def _frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({"slice": [n]})


def test_frames_are_appended_in_order_on_one_other_thread():
    seen, threads = [], set()

    def append(frame: pl.DataFrame) -> None:
        time.sleep(0.002 * (frame["slice"][0] % 3))  # uneven work must not reorder
        seen.append(frame["slice"][0])
        threads.add(threading.current_thread().name)

    appender = InOrderAppender(append)
    for n in range(20):
        appender(_frame(n))
    appender.close()
    assert seen == list(range(20))
    assert threads == {"mutwh-ingest-append"}


def test_close_waits_for_the_last_frame():
    done = []

    def append(frame: pl.DataFrame) -> None:
        time.sleep(0.05)
        done.append(frame["slice"][0])

    appender = InOrderAppender(append)
    appender(_frame(1))
    appender(_frame(2))
    appender.close()
    assert done == [1, 2]


def test_an_insert_error_is_raised_in_the_caller_and_later_frames_are_dropped():
    seen = []

    def append(frame: pl.DataFrame) -> None:
        if frame["slice"][0] == 2:
            raise RuntimeError("disk full")
        seen.append(frame["slice"][0])

    appender = InOrderAppender(append)
    with pytest.raises(RuntimeError, match="disk full"):
        for n in range(10):  # raised by a later hand-over, or else by close
            appender(_frame(n))
        appender.close()
    appender.close(reraise=False)  # the ingestion's clean-up after the error: returns
    assert seen == [0, 1]


def test_close_without_reraise_after_the_callers_own_error():
    appender = InOrderAppender(lambda frame: None)
    appender(_frame(1))
    appender.close(reraise=False)
    assert not appender._thread.is_alive()


def test_small_frames_are_gathered_in_order_until_min_rows():
    seen = []
    appender = InOrderAppender(lambda frame: seen.append(frame["slice"].to_list()), min_rows=3)
    for n in range(7):
        appender(_frame(n))
    appender(pl.DataFrame({"slice": [7, 8, 9]}))  # a frame of min_rows or more goes with what waits
    appender(_frame(10))
    appender.close()  # what is still gathered goes at the end
    assert seen == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9], [10]]


def test_gathered_frames_are_dropped_when_the_caller_fails():
    seen = []
    appender = InOrderAppender(lambda frame: seen.append(frame.height), min_rows=100)
    appender(_frame(1))
    appender.close(reraise=False)
    assert seen == []

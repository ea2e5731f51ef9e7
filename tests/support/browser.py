"""Driving Debian's headless Chromium in tests: load a page, keep a screenshot, read its text."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = Path(os.environ.get("MUTWH_CHROMIUM", "/usr/bin/chromium"))  # Debian package chromium
# As root Chromium needs --no-sandbox; without the background-networking flags it tries to reach
# Google services and this machine's closed network refuses the connections.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",
)


def render_in_chromium(
    url: str, screenshot: Path, window: str = "1400,900", timeout: float = 60, extra_flags: tuple[str, ...] = ()
) -> str:
    """Load ``url`` in a fresh headless Chromium, save a PNG and return the settled DOM."""
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={window}",
            *extra_flags,
            f"--screenshot={screenshot}",
            "--dump-dom",
            url,
        ]
        # Own session, so that on a timeout the whole browser (renderer, zygote, ...) is stopped.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"Chromium did not finish loading {url} within {timeout} s") from None
    dom = out.decode("utf-8", errors="replace")
    assert process.returncode == 0 and dom, f"Chromium failed on {url}: {err.decode(errors='replace')[-2000:]}"
    assert screenshot.exists() and screenshot.stat().st_size > 0, f"no screenshot for {url}"
    return dom


def visible_text(dom: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).replace("&amp;", "&").replace("&nbsp;", " ")

"""``brief.md``: the situation, the exhibits and the questions, as the trainee reads them."""

from __future__ import annotations

from collections.abc import Sequence

from forensics_datasets.case.story import Story

__all__ = ["brief_text"]

_EXHIBITS = {
    "EXH-01": "SD card removed from the drone recovered near the launch site "
    "(flight controller log, camera photos)",
    "EXH-02": "the suspected operator's Android phone, file-system extraction",
    "EXH-03": "the phone found hidden in cell B-14, file-system extraction",
    "EXH-04": "packet capture exported by the prison IT team from the inmate Wi-Fi segment",
}


def brief_text(story: Story, exhibits: list[str], notes: Sequence[str] = ()) -> str:
    """The brief for ``story`` (no answer in it: only what the investigators were told);
    ``notes`` are what else they know from outside the exhibits (a patrol log, a visits
    list, a statement), each a paragraph of "What else is known"."""
    night = story.flight_start.tz_convert(story.zone)
    lines = [
        f"# Case {story.case_number}: drone drop at HMP Example",
        "",
        "*Synthetic training case. Every person, number, address and place in it is invented.*",
        "",
        "## Situation",
        "",
        f"On the night of {night:%A %d %B %Y}, a patrol at HMP Example heard a drone over the "
        "exercise yard. A parcel was recovered inside the perimeter. Later that night a man "
        "was stopped about a kilometre away with a quadcopter and a phone; the following "
        "morning a search of the cells found a smartphone. The prison's IT team suspects the "
        "phone was used on the inmate Wi-Fi to make internet (VoIP) calls.",
        "",
        f"The prison and the launch area are in the time zone {story.zone}. Cameras and some "
        "devices record local wall-clock time; report every time in UTC.",
        "",
        "## Exhibits",
        "",
        "| Exhibit | Description |",
        "|---|---|",
    ]
    for name in exhibits:
        lines.append(f"| `{name}` | {_EXHIBITS.get(name[:6], '')} |")
    lines += [
        "",
        "Also in this folder: `perimeter.geojson` (the prison's outer perimeter), "
        "`hashes.json` (acquisition hashes: verify them before anything else), "
        "`custody.jsonl` (chain of custody) and `wordlist.txt` (the password list the "
        "authorisation allows you to try against captured credentials).",
        "",
    ]
    if notes:
        lines += ["## What else is known", ""]
        for note in notes:
            lines += [f"* {note}", ""]
    lines += [
        "## Questions",
        "",
        "1. Which aircraft (flight controller) flew over the prison? When did it take off "
        "and land (UTC)?",
        "2. When did it cross the perimeter, how long was it inside, and where and when was "
        "the parcel released?",
        "3. Where was the pilot? Give the evidence for your answer.",
        "4. Which file on the operator's phone records the same flight? Are there others?",
        "5. Which message arranged the drop, who sent it (by the operator's contacts), and "
        "when (UTC)? Cite the record you read it from (file, and row or byte offset).",
        "6. Which exhibit is the contraband phone, and which SIP account does it use? What is "
        "the account's password?",
        "7. Which outside numbers did it call, how long did the answered calls last, and "
        "which digits were keyed during them?",
        "8. Does the contraband phone's clock agree with the network capture? By how much "
        "does it differ?",
        "9. When (UTC) were the aerial photos taken?",
        "",
    ]
    if notes:
        lines += [
            "10. Where the exhibits hold more than one candidate (a flight, a name), which is "
            "it, and what settles it? Does the inmate's account of where he was hold?",
            "",
        ]
    return "\n".join(lines)

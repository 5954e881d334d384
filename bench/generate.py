"""Deterministic benchmark data: engagement files (TOML) and ready databases for sizes M and L.

    python bench/generate.py M|L [--force]

S is the bundled sample. M is one engagement (1k people, 10k check-ins, 500 decisions, 5k
notes); L is 20 engagements holding 10k people, 100k check-ins, 5k decisions and 50k notes,
the largest alone 5k people and 50k check-ins and named so it sorts first (the app opens the
first engagement by name). One file holds one engagement (docs/toml-format.md), so L is a
folder of 20 files.

Everything comes from one seeded `random.Random` and dates relative to a fixed AS_OF, so the
same inputs always give byte-identical files. The files and the database (built by `rapport
import`, file by file, so the import path is what is measured too) are cached in bench/.data/
and rebuilt only when this script, the size or the store's schema changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
SAMPLE = ROOT / "sample.toml"
SEED = 7
AS_OF = dt.date(2026, 11, 20)  # the sample's as_of: generated data reads like the sample
SPAN_DAYS = 730  # check-ins spread over about two years before AS_OF
UTC = dt.UTC


@dataclass(frozen=True)
class Shape:
    """One engagement's counts."""

    people: int
    checkins: int
    decisions: int
    notes: int


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def shapes(size: str) -> list[Shape]:
    """The engagements of a size, largest first."""
    if size == "M":
        return [Shape(1_000, 10_000, 500, 5_000)]
    if size == "L":
        # The largest holds half of everything; 19 smaller ones share the rest.
        rest = zip(
            _split(5_000, 19),
            _split(50_000, 19),
            _split(2_500, 19),
            _split(25_000, 19),
            strict=True,
        )
        return [Shape(5_000, 50_000, 2_500, 25_000), *(Shape(*counts) for counts in rest)]
    raise ValueError(f"no generated size {size!r} (S is the bundled sample)")


# --- vocabulary ---------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """A word list written as prose, so long lists stay readable."""
    return text.split()


FIRST = words(
    "Jürgen Franziska Zoë Inês Mehmet Anja Lukas Dana Tyler Priya Marcus Luis Katrin Andreas "
    "Kevin Amber Sam Sofia Mateo Aisha Kenji Olga Noah Emma Liam Mia Chloé Björn Ingrid Raj "
    "Fatima Carlos Lucía Wei Mei Hiroshi Yuki Ana João Pierre Élodie Giulia Marco Sven Astrid "
    "Tomasz Agnieszka Dmitri Elena Ahmed Leila Kwame Amara Chen Nina Oscar Hannah Felix Greta "
    "Rosa Diego Ikaika Moana Siobhan Declan Saoirse Eitan Noa Yasmin Omar Tariq Ngozi Chidi"
)
LAST = words(
    "Müller Weiß Hartmann Carvalho Yılmaz Kröger Hoffmann Whitfield Brooks Raman Delgado Peña "
    "Vogel Köhler O'Brien Nguyen Kowalczyk Schmidt Schneider Fischer Becker Wagner Schulz Keller "
    "García Martínez López González Rossi Russo Ferrari Dubois Lefèvre Moreau Jensen Nielsen "
    "Andersson Johansson Nowak Wiśniewski Novák Horváth Silva Santos Oliveira Tanaka Suzuki Sato "
    "Kim Park Lee Wang Li Zhang Patel Sharma Singh Okafor Mensah Haddad Cohen Levi Murphy "
    "Kelly Walsh Smith Johnson Williams Brown Jones Davis Miller Wilson Anderson Taylor"
)
ZONES = words(
    "Europe/Berlin Europe/Berlin Europe/Berlin Europe/Lisbon Europe/London Europe/Paris "
    "Europe/Warsaw Europe/Zurich America/New_York America/New_York America/Chicago "
    "America/Denver America/Los_Angeles America/Sao_Paulo Asia/Kolkata Asia/Singapore "
    "Asia/Tokyo Australia/Sydney Africa/Lagos"
)
ROLES = {
    "ours": (
        "Engagement lead", "Solution architect", "Senior backend developer", "Frontend developer",
        "QA lead", "Platform & DevOps engineer", "UX designer", "Business analyst",
        "Data engineer", "Delivery manager", "Scrum master", "Security engineer",
    ),
    "client": (
        "Project sponsor", "Product owner", "Head of operations", "Finance controller",
        "Customer care lead", "Marketing manager", "IT service manager", "Procurement lead",
        "Head of e-commerce", "Legal counsel", "Warehouse manager", "Data protection officer",
    ),
    "partner": (
        "Account manager", "Integration engineer", "Solutions engineer", "Support lead",
        "Implementation consultant", "Partner manager",
    ),
}  # fmt: skip
TEAMS = words(
    "Core Steering Payments Tax Catalogue Content Platform Cutover Fulfilment Care Data "
    "Identity Search Mobile Reporting Migration Security Finance Logistics Analytics"
)
ORGANISATIONS = {
    "ours": ("Nordlicht Digital",),
    "client": ("{client}", "{client} group IT", "{client} shared services"),
    "partner": ("Ridgeline Fulfillment", "Ledgerline Payments", "Cloudmesh Hosting", "Parcelpoint"),
}
RHYTHMS = (
    "weekdays", "weekly on tue", "weekly on mon,thu", "weekly on thu", "every 2 weeks on wed",
    "every 2 weeks on mon", "monthly on first wed", "monthly on last fri", "monthly on day 15",
    "every 3 days",
)  # fmt: skip
CADENCE_KINDS = (
    "Daily stand-up", "Weekly status", "Sub-project sync", "Steering committee",
    "Integration sync", "Architecture review", "Release planning", "Risk review",
)  # fmt: skip
TOPICS = (
    "payment provider onboarding", "sales tax engine", "catalogue translation", "cutover plan",
    "release train", "warehouse API", "returns process", "data migration", "load test",
    "go-live checklist", "SSO rollout", "price lists", "search relevance", "mobile checkout",
    "customer care macros", "reporting dashboards", "GDPR review", "budget forecast",
)  # fmt: skip
OUTCOMES = (
    "Agreed on the {t}; {p} drafts the next version by {d}.",
    "The {t} slips a week: waiting for the vendor's sandbox. Escalate if not there by {d}.",
    "Walked through the {t} end to end. Two open questions left for {p}.",
    "{p} raised a concern about the {t}; we keep it on the risk list.",
    "Good mood: the {t} passed its first test run. Next: sign-off with {p}.",
    "Skipped the usual round, talked about the {t} only. {p} will follow up by mail.",
)
NOTE_TEXTS = {
    "personal": (
        "Running a marathon in {m}; ask how it went.", "Two kids, the youngest starts school in {m}.",
        "Loves hiking; was in the Dolomites in {m}.", "Moving house in {m}.",
        "Prefers calls in the morning, before the kids wake up.", "Learning German, happy to try it.",
        "Big football fan; do not schedule on match nights.", "On parental leave from {m}.",
    ),
    "professional": (
        "Wants the {t} documented before anyone touches it.", "Was burnt by a failed {t} before.",
        "Reports to the CFO on the {t}; needs numbers, not prose.",
        "Prefers decisions in writing, summarised in three bullets.",
        "Knows the legacy {t} better than anyone.", "Open to a second phase if the {t} lands well.",
    ),
}  # fmt: skip
PROJECTS = (
    "Aurora group platform rollout",  # the largest: sorts first by name
    "Beacon payments migration", "Cobalt data warehouse", "Delta customer portal",
    "Ember mobile app relaunch", "Fjord logistics integration", "Granite ERP upgrade",
    "Harbor CRM consolidation", "Iris search revamp", "Juniper SSO rollout",
    "Kestrel reporting suite", "Lumen content platform", "Meridian pricing engine",
    "Nimbus cloud move", "Onyx returns portal", "Pinnacle B2B shop", "Quartz analytics",
    "Ridge warehouse automation", "Summit partner portal", "Tundra support desk",
)  # fmt: skip
CLIENTS = (
    "Bergwerk Outdoor", "Kaiser Tools", "Lindqvist Home", "Matsuda Foods", "Oakridge Pharma",
    "Pacific Rail", "Rheinland Energie", "Sierra Apparel", "Tannenhof Hotels", "Vantage Bank",
)  # fmt: skip
MONTHS = words("January February March April May June July August September October November")


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --- one engagement -----------------------------------------------------------------------------


def engagement(rng: random.Random, number: int, shape: Shape) -> dict[str, Any]:
    """One engagement file's document, in the order docs/toml-format.md writes it."""
    client = CLIENTS[number % len(CLIENTS)]
    kickoff = AS_OF - dt.timedelta(days=SPAN_DAYS)
    people = _people(rng, shape.people, client, kickoff)
    keys = [person["key"] for person in people]
    teams: dict[str, list[str]] = {}
    for person in people:
        teams.setdefault(person["team"], []).append(person["key"])
    cadences = _cadences(rng, people, teams, kickoff)
    doc: dict[str, Any] = {
        "schema_version": 1,
        "as_of": AS_OF,
        "engagement": {
            "key": f"{slug(PROJECTS[number])[:30]}-{number:02d}",
            "name": PROJECTS[number],
            "client": f"{client} Inc.",
            "goal": f"Deliver the {PROJECTS[number].lower()} for {client}, run by their own team.",
            "kickoff": kickoff,
            "lead": keys[0],
        },
        "people": people,
        "cadences": cadences,
        "checkins": _checkins(rng, shape.checkins, keys, cadences, kickoff),
        "decisions": _decisions(rng, shape.decisions, keys, cadences, kickoff),
        "notes": _notes(rng, shape.notes, keys, kickoff),
    }
    return doc


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


def _people(rng: random.Random, count: int, client: str, kickoff: dt.date) -> list[dict[str, Any]]:
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # The first person leads; then roughly 30 % ours, 55 % client, 15 % partner.
        side = "ours" if index == 0 else rng.choices(("ours", "client", "partner"), (30, 55, 15))[0]
        role = "Engagement lead" if index == 0 else rng.choice(ROLES[side])
        start = rng.choice((7, 7.5, 8, 8.5, 9, 9.5, 10))
        end = start + rng.choice((8, 8.5, 9))
        key = f"{slug(first)}-{slug(last)}-{index}"[:40]
        organisation = rng.choice(ORGANISATIONS[side]).format(client=client)
        person: dict[str, Any] = {
            "key": key,
            "name": f"{first} {last}",
            "side": side,
            "organisation": organisation,
            "role": role,
            "responsibilities": f"{role} for the {rng.choice(TOPICS)} and the {rng.choice(TOPICS)}.",
            "team": rng.choice(TEAMS),
            "timezone": rng.choice(ZONES),
            "hours": f"{int(start):02d}:{int(start % 1 * 60):02d}-{int(end):02d}:{int(end % 1 * 60):02d}",
            "email": f"{key}@{slug(organisation)}.example",
            "at_kickoff": rng.random() < 0.6,
            "onboarded": rng.random() < 0.3,
            "role_agreed": rng.random() < 0.7,
            "met_in_person": rng.random() < 0.4,
        }
        if rng.random() < 0.6:
            person["first_one_on_one"] = _day_between(rng, kickoff, AS_OF)
        if rng.random() < 0.1:
            person["contact_every"] = rng.choice((7, 14, 21, 35, 60))
        people.append(person)
    return people


def _cadences(
    rng: random.Random,
    people: list[dict[str, Any]],
    teams: dict[str, list[str]],
    kickoff: dt.date,
) -> list[dict[str, Any]]:
    """About one circle per 25 people: team meetings, steering, and one-on-ones with the lead."""
    lead = people[0]["key"]
    count = max(5, len(people) // 25)
    cadences = []
    for index in range(count):
        team = rng.choice(sorted(teams))
        if index % 5 == 4:  # every fifth is a one-on-one of the lead with someone
            other = rng.choice(people[1:])
            attendees = [lead, other["key"]]
            name = f"One-on-one {other['name']}"
            rhythm = rng.choice(
                ("every 2 weeks on mon", "every 2 weeks on wed", "monthly on day 15")
            )
        else:
            members = teams[team]
            attendees = rng.sample(members, min(len(members), rng.randint(3, 10)))
            if lead not in attendees:
                attendees.insert(0, lead)
            name = f"{rng.choice(CADENCE_KINDS)} {team} {index}"
            rhythm = rng.choice(RHYTHMS)
        cadence: dict[str, Any] = {
            "key": f"c{index}-{slug(name)}"[:40],
            "name": name,
            "circle": f"{team} circle",
            "rhythm": rhythm,
            "slot": f"{rng.randint(8, 16):02d}:{rng.choice((0, 15, 30, 45)):02d}",
            "zone": rng.choice(ZONES),
            "duration": rng.choice((15, 30, 45, 60)),
            "owner": attendees[0],
            "attendees": attendees,
            "since": _day_between(rng, kickoff, kickoff + dt.timedelta(days=120)),
        }
        if rng.random() < 0.05:
            cadence["paused"] = True
        cadences.append(cadence)
    return cadences


def _checkins(
    rng: random.Random,
    count: int,
    keys: list[str],
    cadences: list[dict[str, Any]],
    kickoff: dt.date,
) -> list[dict[str, Any]]:
    start = dt.datetime.combine(kickoff, dt.time(7), tzinfo=UTC)
    span = (AS_OF - kickoff).days * 86_400
    # Sorted by time, as an export writes them and as a lead logs them.
    moments = sorted(start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(count))
    checkins = []
    for at in moments:
        checkin: dict[str, Any] = {"at": at.replace(second=0)}
        if rng.random() < 0.8:
            cadence = rng.choice(cadences)
            checkin["cadence"] = cadence["key"]
            attendees = [k for k in cadence["attendees"] if rng.random() < 0.85] or cadence[
                "attendees"
            ][:2]
        else:  # an ad-hoc call of two or three people
            attendees = rng.sample(keys, min(len(keys), rng.randint(2, 3)))
        checkin["attendees"] = attendees
        roll = rng.random()
        checkin["status"] = "skipped" if roll < 0.05 else ("moved" if roll < 0.08 else "held")
        checkin["channel"] = rng.choices(("video", "phone", "on-site", "chat"), (70, 15, 10, 5))[0]
        who = rng.choice(attendees)
        due = at.date() + dt.timedelta(days=rng.randint(2, 21))
        checkin["outcome"] = rng.choice(OUTCOMES).format(
            t=rng.choice(TOPICS), p=who, d=f"{due:%d %b}"
        )
        if rng.random() < 0.8:
            checkin["mood"] = rng.choices((1, 2, 3, 4, 5), (3, 10, 35, 37, 15))[0]
        steps = []
        for _ in range(rng.choices((0, 1, 2, 3), (40, 35, 17, 8))[0]):
            step_due = at.date() + dt.timedelta(days=rng.randint(1, 28))
            step: dict[str, Any] = {
                "text": f"Follow up on the {rng.choice(TOPICS)}",
                "owner": rng.choice(attendees),
                "due": step_due,
                # Old steps are mostly done; recent ones mostly open.
                "done": step_due < AS_OF - dt.timedelta(days=30) and rng.random() < 0.95,
            }
            steps.append(step)
        if steps:
            checkin["next_steps"] = steps
        checkins.append(checkin)
    return checkins


def _decisions(
    rng: random.Random,
    count: int,
    keys: list[str],
    cadences: list[dict[str, Any]],
    kickoff: dt.date,
) -> list[dict[str, Any]]:
    decisions = []
    for index in range(count):
        kind = rng.choices(("decision", "risk", "dependency"), (60, 25, 15))[0]
        topic = rng.choice(TOPICS)
        raised = _day_between(rng, kickoff, AS_OF)
        statuses = {
            "decision": ("open", "decided", "decided", "dropped"),
            "risk": ("open", "mitigated", "happened", "closed"),
            "dependency": ("open", "delivered", "late"),
        }[kind]
        # Recent items are more often still open.
        status = "open" if raised > AS_OF - dt.timedelta(days=60) else rng.choice(statuses)
        item: dict[str, Any] = {
            "kind": kind,
            "title": f"{kind.capitalize()} on the {topic} #{index}",
            "context": f"Raised in the {rng.choice(cadences)['name']}; affects the {topic}.",
            "owner": rng.choice(keys),
            "raised": raised,
            "due": raised + dt.timedelta(days=rng.randint(7, 60)),
            "status": status,
        }
        if status != "open":
            item["outcome"] = f"Settled: {topic} as proposed."
            item["decided"] = min(raised + dt.timedelta(days=rng.randint(1, 40)), AS_OF)
        must_inform = rng.sample(keys, min(len(keys), rng.randint(2, 8)))
        item["must_inform"] = must_inform
        if kind == "risk":
            item["probability"], item["impact"] = rng.randint(1, 5), rng.randint(1, 5)
            item["mitigation"] = f"Plan B for the {topic}."
        elif kind == "dependency":
            item["depends_on"] = rng.choice(ORGANISATIONS["partner"])
        if rng.random() < 0.5:
            item["cadence"] = rng.choice(cadences)["key"]
        if rng.random() < 0.05:
            item["key"] = f"d{index}"
        told = [k for k in must_inform if rng.random() < 0.6]
        if told:
            item["informed"] = {k: _day_between(rng, raised, AS_OF) for k in told}
        decisions.append(item)
    return decisions


def _notes(
    rng: random.Random, count: int, keys: list[str], kickoff: dt.date
) -> list[dict[str, Any]]:
    notes = []
    for _ in range(count):
        kind = rng.choices(("personal", "professional"), (55, 45))[0]
        on = _day_between(rng, kickoff, AS_OF)
        note: dict[str, Any] = {
            "person": rng.choice(keys),
            "on": on,
            "kind": kind,
            "text": rng.choice(NOTE_TEXTS[kind]).format(m=rng.choice(MONTHS), t=rng.choice(TOPICS)),
        }
        if rng.random() < 0.1:
            note["pinned"] = True
        if rng.random() < 0.1:
            note["follow_up"] = on + dt.timedelta(days=rng.randint(3, 60))
        notes.append(note)
    return notes


# --- files, databases, cache --------------------------------------------------------------------


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:16]


def generator_fingerprint(size: str) -> str:
    return _digest(Path(__file__).read_bytes(), size.encode(), str(SEED).encode())


def schema_fingerprint() -> str:
    """Changes when the store's schema or import could build a different database."""
    files = sorted((ROOT / "store" / "migrations" / "versions").glob("*.py"))
    files += [ROOT / "store" / name for name in ("models.py", "io_toml.py", "import_plan.py")]
    return _digest(*(path.read_bytes() for path in files))


def toml_files(size: str) -> list[Path]:
    """The engagement files of a size, largest first."""
    if size == "S":
        return [SAMPLE]
    if size == "M":
        return [DATA / "M.toml"]
    return [DATA / "L" / f"{number:02d}.toml" for number in range(len(shapes(size)))]


def db_path(size: str) -> Path:
    return DATA / f"{size}.db"


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".stamp")


def _fresh(path: Path, fingerprint: str) -> bool:
    stamp = _stamp(path)
    return path.exists() and stamp.exists() and stamp.read_text() == fingerprint


def write_toml(size: str, *, force: bool = False, say: Any = print) -> list[Path]:
    files = toml_files(size)
    if size == "S":
        return files  # the bundled sample: nothing to generate
    fingerprint = generator_fingerprint(size)
    if not force and all(_fresh(path, fingerprint) for path in files):
        return files
    started = time.perf_counter()
    rng = random.Random(SEED)
    for number, (path, shape) in enumerate(zip(files, shapes(size), strict=True)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps(engagement(rng, number, shape)), encoding="utf-8")
        _stamp(path).write_text(fingerprint)
    size_mb = sum(path.stat().st_size for path in files) / 1e6
    say(
        f"generated {size}: {len(files)} file(s), {size_mb:.1f} MB in {time.perf_counter() - started:.1f} s"
    )
    return files


def build_db(size: str, *, force: bool = False, say: Any = print) -> Path:
    """The size's ready database, built by `rapport import` of each file (cached)."""
    files = write_toml(size, force=force, say=say)
    db = db_path(size)
    fingerprint = _digest(generator_fingerprint(size).encode(), schema_fingerprint().encode())
    if not force and _fresh(db, fingerprint):
        return db
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for path in files:
        one = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tui", "--db", str(db), "import", str(path)],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        if path is files[0]:
            say(
                f"imported the largest file of {size} ({path.name}) in {time.perf_counter() - one:.1f} s"
            )
    say(f"built {db.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
    _stamp(db).write_text(fingerprint)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=("S", "M", "L"))
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    parser.add_argument("--toml-only", action="store_true", help="write the files, no database")
    args = parser.parse_args()
    if args.toml_only:
        write_toml(args.size, force=args.force)
    else:
        print(build_db(args.size, force=args.force))


if __name__ == "__main__":
    main()

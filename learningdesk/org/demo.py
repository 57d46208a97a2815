"""Demo data: a realistic union organisation, its workplaces and people, and demo logins for each role.

`seed_demo` (management command) calls `build_demo`. The East Midlands core (three branches, twelve
employers, forty workplaces and the demo logins) is always the same; a larger `DemoSize` adds generated
regions, branches, employers and workplaces around it, and people are streamed into the database in
chunks so that a million of them need no more memory than a few thousand.

Contact details use reserved ranges so that nothing can reach a real person: email addresses at
example.com/.net/.org and Ofcom's drama mobile numbers (07700 900xxx).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import itertools
import math
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import models, reset_queries, transaction
from django.utils import timezone
from faker import Faker

from learningdesk.accounts.models import User
from learningdesk.imports import engine
from learningdesk.org.models import (
    Consent,
    Employer,
    EqualityRecord,
    OrgUnit,
    Person,
    Role,
    RoleAssignment,
    UnitKind,
    Workplace,
)

DEMO_PASSWORD = "learning-desk-demo"  # noqa: S105 (public on purpose: printed for every demo login)
DEFAULT_SEED = 1868  # the year of the first Trades Union Congress
PEOPLE_CHUNK = 5_000
BULK_BATCH = 1_000

Sector = Employer.Sector
Status = Person.Status

# The size of a demo organisation ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSize:
    """How much to build. Counts include the East Midlands core (1 region, 3 branches, 12 employers, 40 sites)."""

    regions: int = 1
    branches: int = 3
    employers: int = 12
    workplaces: int = 40
    people: int = 3_000
    # Smallest and largest branch (people) when there are generated branches.
    branch_people: tuple[int, int] = (50, 15_000)


SIZES = {
    "branch": DemoSize(),
    "national": DemoSize(regions=8, branches=300, employers=400, workplaces=3_000, people=1_000_000),
}


@dataclass(frozen=True)
class DemoSummary:
    units: int
    employers: int
    workplaces: int
    people: int
    members: int
    consents: int
    equality_records: int
    users: int
    seconds: float


# The East Midlands core ---------------------------------------------------------------------------

NATIONAL = ("Learning Union", "NAT")
CORE_REGION = ("East Midlands", "EM")


@dataclass(frozen=True)
class BranchPlan:
    name: str
    code: str
    region_code: str
    town: str
    postcode_area: str
    sector: str


CORE_BRANCHES = (
    BranchPlan("Derby City Local Government", "EM-DERBY", "EM", "Derby", "DE", Sector.LOCAL_GOVERNMENT),
    BranchPlan("Nottingham Health", "EM-NOTTS-HEALTH", "EM", "Nottingham", "NG", Sector.HEALTH),
    BranchPlan("Leicestershire Education", "EM-LEICS-EDU", "EM", "Leicester", "LE", Sector.EDUCATION),
)
# Shares of the people when there are no generated branches.
CORE_BRANCH_SHARES = (45, 30, 25)


@dataclass(frozen=True)
class EmployerPlan:
    key: str
    name: str
    sector: str
    is_public_sector: bool
    unit_code: str
    website: str = ""


CORE_EMPLOYERS = (
    EmployerPlan(
        "derby-cc", "Derby City Council", Sector.LOCAL_GOVERNMENT, True, "EM-DERBY", "https://www.derby.gov.uk"
    ),
    EmployerPlan("derby-homes", "Derby Homes", Sector.LOCAL_GOVERNMENT, True, "EM-DERBY"),
    # Schools in Derby and in Leicestershire: the region looks after the relationship.
    EmployerPlan("trent-valley", "Trent Valley Academies Trust", Sector.EDUCATION, True, "EM"),
    EmployerPlan("sinfin", "Sinfin Precision Engineering Ltd", Sector.MANUFACTURING, False, "EM-DERBY"),
    EmployerPlan("trent-rivers", "Trent Rivers Buses Ltd", Sector.TRANSPORT, False, "EM-DERBY"),
    EmployerPlan("nuh", "Nottingham University Hospitals NHS Trust", Sector.HEALTH, True, "EM-NOTTS-HEALTH"),
    EmployerPlan("notts-hc", "Nottinghamshire Healthcare NHS Foundation Trust", Sector.HEALTH, True, "EM-NOTTS-HEALTH"),
    EmployerPlan("sherwood", "Sherwood Forest Hospitals NHS Foundation Trust", Sector.HEALTH, True, "EM-NOTTS-HEALTH"),
    EmployerPlan("beeston-labs", "Beeston Laboratories Ltd", Sector.MANUFACTURING, False, "EM-NOTTS-HEALTH"),
    EmployerPlan("leics-cc", "Leicestershire County Council", Sector.LOCAL_GOVERNMENT, True, "EM-LEICS-EDU"),
    EmployerPlan("lboro-college", "Loughborough College", Sector.EDUCATION, True, "EM-LEICS-EDU"),
    EmployerPlan("fosseway", "Fosseway Home Stores Ltd", Sector.RETAIL, False, "EM-LEICS-EDU"),
)


@dataclass(frozen=True)
class WorkplacePlan:
    employer_key: str
    branch_code: str
    name: str
    address: str
    town: str
    postcode: str
    headcount: int


def _w(employer: str, branch: str, name: str, address: str, town: str, postcode: str, headcount: int) -> WorkplacePlan:
    return WorkplacePlan(employer, branch, name, address, town, postcode, headcount)


D, N, L = "EM-DERBY", "EM-NOTTS-HEALTH", "EM-LEICS-EDU"
CORE_WORKPLACES = (
    _w("derby-cc", D, "Council House", "Corporation Street", "Derby", "DE1 2FS", 1450),
    _w("derby-cc", D, "Stores Road Depot", "Stores Road", "Derby", "DE21 4BD", 380),
    _w("derby-cc", D, "Derby Museum and Art Gallery", "The Strand", "Derby", "DE1 1BS", 85),
    _w("derby-cc", D, "Moorways Sports Village", "Moor Lane", "Derby", "DE24 9HY", 140),
    _w("derby-cc", D, "Pear Tree Library", "Pear Tree Road", "Derby", "DE23 6QD", 18),
    _w("derby-cc", D, "Perth House Care Centre", "Perth Street", "Derby", "DE21 6XT", 95),
    _w("derby-cc", D, "Adult Learning Service", "Babington Lane", "Derby", "DE1 1TA", 60),
    _w("derby-cc", D, "Raynesway Waste Transfer Station", "Raynesway", "Derby", "DE21 7BE", 70),
    _w("derby-homes", D, "Derby Homes Repairs Centre", "Osmaston Park Road", "Derby", "DE24 8BA", 260),
    _w("derby-homes", D, "Osmaston Local Housing Office", "Osmaston Road", "Derby", "DE23 8LH", 35),
    _w("trent-valley", D, "Alvaston Park Academy", "Elvaston Lane", "Derby", "DE24 0PU", 120),
    _w("trent-valley", D, "Chaddesden Meadows Primary Academy", "Maine Drive", "Derby", "DE21 6SZ", 55),
    _w("sinfin", D, "Sinfin Lane Works", "Sinfin Lane", "Derby", "DE24 9GJ", 620),
    _w("sinfin", D, "Osmaston Park Machine Shop", "Osmaston Park Road", "Derby", "DE24 8BH", 210),
    _w("trent-rivers", D, "Ascot Drive Bus Depot", "Ascot Drive", "Derby", "DE24 8GW", 340),
    _w("trent-rivers", D, "Derby Bus Station Travel Centre", "Morledge", "Derby", "DE1 2AW", 25),
    _w("nuh", N, "Queen's Medical Centre", "Derby Road", "Nottingham", "NG7 2UH", 6500),
    _w("nuh", N, "Nottingham City Hospital", "Hucknall Road", "Nottingham", "NG5 1PB", 4200),
    _w("nuh", N, "Nottingham Treatment Centre", "Lister Road", "Nottingham", "NG7 2FT", 600),
    _w("nuh", N, "Ropewalk House", "113 The Ropewalk", "Nottingham", "NG1 5DU", 380),
    _w("notts-hc", N, "Highbury Hospital", "Highbury Road, Bulwell", "Nottingham", "NG6 9DR", 520),
    _w("notts-hc", N, "Rampton Hospital", "Retford Road, Woodbeck", "Retford", "DN22 0PD", 1400),
    _w("notts-hc", N, "Duncan Macmillan House", "Porchester Road", "Nottingham", "NG3 6AA", 310),
    _w("notts-hc", N, "Wells Road Centre", "Wells Road", "Nottingham", "NG3 3AA", 150),
    _w("sherwood", N, "King's Mill Hospital", "Mansfield Road", "Sutton-in-Ashfield", "NG17 4JL", 3300),
    _w("sherwood", N, "Newark Hospital", "Boundary Road", "Newark", "NG24 4DE", 450),
    _w("sherwood", N, "Mansfield Community Hospital", "Stockwell Gate", "Mansfield", "NG18 5QJ", 230),
    _w("beeston-labs", N, "Beeston Laboratories, Lilac Grove", "Lilac Grove, Beeston", "Nottingham", "NG9 1PF", 780),
    _w("beeston-labs", N, "Clifton Distribution Centre", "Clifton Lane", "Nottingham", "NG11 8NS", 240),
    _w("trent-valley", L, "Wigston Brook Academy", "Station Road", "Wigston", "LE18 2DT", 135),
    _w("trent-valley", L, "Soar Valley Primary Academy", "Meadow Lane", "Loughborough", "LE11 1NB", 60),
    _w("leics-cc", L, "County Hall", "Glenfield", "Leicester", "LE3 8RA", 2100),
    _w(
        "leics-cc",
        L,
        "Beaumanor Hall Outdoor Learning Centre",
        "Beaumanor Drive, Woodhouse",
        "Loughborough",
        "LE12 8TX",
        45,
    ),
    _w("leics-cc", L, "Coalville Library", "High Street", "Coalville", "LE67 3EA", 20),
    _w("leics-cc", L, "Hinckley Children and Family Centre", "Coventry Road", "Hinckley", "LE10 0JT", 40),
    _w("leics-cc", L, "Ashfield Lane Special School", "Grange Drive", "Melton Mowbray", "LE13 1HA", 90),
    _w("lboro-college", L, "Loughborough College, Radmoor Road", "Radmoor Road", "Loughborough", "LE11 3BT", 900),
    _w("lboro-college", L, "Loughborough College Technology Centre", "Epinal Way", "Loughborough", "LE11 3EH", 120),
    _w("fosseway", L, "Fosseway Home Stores, Fosse Park", "Soar Valley Way, Enderby", "Leicester", "LE19 1HX", 160),
    _w("fosseway", L, "Magna Park Distribution Centre", "Magna Park", "Lutterworth", "LE17 4XN", 520),
)
del D, N, L


# Demo logins --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    role: str
    unit_code: str
    workplaces: tuple[str, ...] = ()  # for a ULR: the workplaces covered, by name
    ended: bool = False  # the role ended last month: signs in, sees nothing

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def where(self) -> str:
        where = UNIT_NAMES[self.unit_code]
        if self.workplaces:
            where += f" ({', '.join(self.workplaces)})"
        if self.ended:
            where += ", ended last month"
        return where


UNIT_NAMES = {
    NATIONAL[1]: NATIONAL[0],
    CORE_REGION[1]: CORE_REGION[0],
    **{branch.code: branch.name for branch in CORE_BRANCHES},
}

DEMO_LOGINS = (
    DemoLogin("admin@example.org", "Aisha Patel", Role.NATIONAL_ADMIN, "NAT"),
    DemoLogin("region@example.org", "Gareth Hughes", Role.REGIONAL_COORDINATOR, "EM"),
    DemoLogin("coordinator@example.org", "Sarah Whitfield", Role.BRANCH_COORDINATOR, "EM-DERBY"),
    DemoLogin("coordinator2@example.org", "Tom Okafor", Role.BRANCH_COORDINATOR, "EM-DERBY"),
    DemoLogin("notts@example.org", "Priya Sharma", Role.BRANCH_COORDINATOR, "EM-NOTTS-HEALTH"),
    DemoLogin("ulr@example.org", "Dave Marsh", Role.ULR, "EM-DERBY", ("Council House", "Stores Road Depot")),
    DemoLogin("officer@example.org", "Linda Baxter", Role.BRANCH_OFFICER, "EM-DERBY"),
    DemoLogin("equality@example.org", "Marcus Campbell", Role.EQUALITY_OFFICER, "EM-DERBY"),
    DemoLogin("former@example.org", "Helen Ford", Role.BRANCH_COORDINATOR, "EM-DERBY", ended=True),
)
# More ULRs, so that every branch has a few and the home page has something to count.
EXTRA_ULR_LOGINS = (
    DemoLogin("ulr2@example.org", "Jason Reid", Role.ULR, "EM-DERBY", ("Sinfin Lane Works",)),
    DemoLogin("ulr3@example.org", "Kerry Walsh", Role.ULR, "EM-DERBY", ("Ascot Drive Bus Depot",)),
    DemoLogin("ulr4@example.org", "Grace Mensah", Role.ULR, "EM-NOTTS-HEALTH", ("Queen's Medical Centre",)),
    DemoLogin("ulr5@example.org", "Paul Rowley", Role.ULR, "EM-NOTTS-HEALTH", ("King's Mill Hospital",)),
    DemoLogin("ulr6@example.org", "Agnieszka Nowak", Role.ULR, "EM-NOTTS-HEALTH", ("Rampton Hospital",)),
    DemoLogin("ulr7@example.org", "Harjit Sandhu", Role.ULR, "EM-LEICS-EDU", ("County Hall",)),
    DemoLogin(
        "ulr8@example.org",
        "Claire Dunmore",
        Role.ULR,
        "EM-LEICS-EDU",
        ("Wigston Brook Academy", "Soar Valley Primary Academy"),
    ),
)


def logins_table() -> str:
    """The demo logins as a plain-text table, for the terminal."""
    rows = [("Email", "Role", "Where")] + [(x.email, x.role_label, x.where) for x in DEMO_LOGINS]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    extra = EXTRA_ULR_LOGINS
    from learningdesk.employers.demo import CONTACT_LOGIN_LINE  # the employers demo imports this module

    lines += [
        "",
        f"Also {extra[0].email} to {extra[-1].email}: ULRs at other workplaces.",
        CONTACT_LOGIN_LINE,
        f"Password for every demo login: {DEMO_PASSWORD}",
    ]
    return "\n".join(lines)


# Generated regions, branches, employers and workplaces (national size) ------------------------------

# Region code, name, towns with their postcode areas.
MORE_REGIONS = (
    ("NW", "North West", "Manchester:M Liverpool:L Salford:M Bolton:BL Wigan:WN Preston:PR Blackburn:BB "
     "Stockport:SK Oldham:OL Warrington:WA Lancaster:LA Blackpool:FY"),
    ("YH", "Yorkshire and the Humber", "Leeds:LS Sheffield:S Bradford:BD Hull:HU York:YO Wakefield:WF "
     "Doncaster:DN Rotherham:S Barnsley:S Huddersfield:HD Halifax:HX Harrogate:HG"),
    ("WM", "West Midlands", "Birmingham:B Coventry:CV Wolverhampton:WV Walsall:WS Dudley:DY Sandwell:B "
     "Solihull:B Stoke:ST Telford:TF Worcester:WR Hereford:HR Shrewsbury:SY"),
    ("LON", "London", "Camden:NW Hackney:E Lambeth:SE Southwark:SE Newham:E Islington:N Croydon:CR "
     "Barnet:EN Ealing:W Haringey:N Lewisham:SE Greenwich:SE"),
    ("SE", "South East", "Brighton:BN Southampton:SO Portsmouth:PO Reading:RG Oxford:OX Kent:ME "
     "Surrey:GU Slough:SL Crawley:RH Canterbury:CT Guildford:GU Maidstone:ME"),
    ("SW", "South West", "Bristol:BS Plymouth:PL Exeter:EX Bath:BA Gloucester:GL Swindon:SN "
     "Bournemouth:BH Cornwall:TR Taunton:TA Cheltenham:GL Torbay:TQ Salisbury:SP"),
    ("NE", "North East", "Newcastle:NE Sunderland:SR Gateshead:NE Durham:DH Middlesbrough:TS Darlington:DL "
     "Hartlepool:TS Tyneside:NE Northumberland:NE Stockton:TS Carlisle:CA Redcar:TS"),
    ("EA", "Eastern", "Norwich:NR Ipswich:IP Cambridge:CB Peterborough:PE Luton:LU Chelmsford:CM "
     "Colchester:CO Southend:SS Bedford:MK Watford:WD Stevenage:SG Lowestoft:NR"),
    ("SCO", "Scotland", "Glasgow:G Edinburgh:EH Aberdeen:AB Dundee:DD Fife:KY Inverness:IV Stirling:FK "
     "Lanarkshire:ML Ayrshire:KA Falkirk:FK Perth:PH Dumfries:DG"),
    ("CYM", "Wales", "Cardiff:CF Swansea:SA Newport:NP Wrexham:LL Bangor:LL Carmarthen:SA "
     "Merthyr:CF Bridgend:CF Aberystwyth:SY Rhondda:CF Caerphilly:CF Pembrokeshire:SA"),
    ("NI", "Northern Ireland", "Belfast:BT Derry:BT Lisburn:BT Newry:BT Armagh:BT Omagh:BT "
     "Enniskillen:BT Coleraine:BT Ballymena:BT Antrim:BT Craigavon:BT Dungannon:BT"),
)  # fmt: skip
MORE_EM_TOWNS = "Lincoln:LN Northampton:NN Chesterfield:S Mansfield:NG Kettering:NN Boston:PE Grantham:NG Corby:NN"

# What a generated branch organises: name, code suffix, sector.
BRANCH_KINDS = (
    ("Local Government", "LG", Sector.LOCAL_GOVERNMENT),
    ("Health", "HLTH", Sector.HEALTH),
    ("Education", "EDU", Sector.EDUCATION),
    ("Higher Education", "HE", Sector.EDUCATION),
    ("Community", "COM", Sector.COMMUNITY),
    ("Police Staff", "POL", Sector.POLICE_JUSTICE),
    ("Energy", "ENGY", Sector.ENERGY_UTILITIES),
    ("Transport", "TRN", Sector.TRANSPORT),
    ("Civil Service", "CS", Sector.CIVIL_SERVICE),
    ("Private Sector", "PRIV", Sector.MANUFACTURING),
)

# Employer name templates by branch sector: template, employer sector, public sector?
EMPLOYER_TEMPLATES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    Sector.LOCAL_GOVERNMENT: (
        ("{town} City Council", Sector.LOCAL_GOVERNMENT, True),
        ("{town} Borough Council", Sector.LOCAL_GOVERNMENT, True),
        ("{town} Homes", Sector.LOCAL_GOVERNMENT, True),
        ("{town} Leisure Trust", Sector.COMMUNITY, False),
    ),
    Sector.HEALTH: (
        ("{town} Teaching Hospitals NHS Trust", Sector.HEALTH, True),
        ("{town} and District NHS Foundation Trust", Sector.HEALTH, True),
        ("{town} Community Health Services", Sector.HEALTH, True),
        ("{surname} Care Homes Ltd", Sector.HEALTH, False),
    ),
    Sector.EDUCATION: (
        ("{town} College", Sector.EDUCATION, True),
        ("{town} Schools Partnership", Sector.EDUCATION, True),
        ("University of {town}", Sector.EDUCATION, True),
        ("{surname} Learning Trust", Sector.EDUCATION, True),
    ),
    Sector.COMMUNITY: (
        ("{town} Housing Association", Sector.COMMUNITY, False),
        ("{town} Citizens Advice", Sector.COMMUNITY, False),
        ("{town} Community Transport", Sector.COMMUNITY, False),
    ),
    Sector.POLICE_JUSTICE: (
        ("{town} Police", Sector.POLICE_JUSTICE, True),
        ("{town} Probation Service", Sector.POLICE_JUSTICE, True),
    ),
    Sector.ENERGY_UTILITIES: (
        ("{town} Water Services Ltd", Sector.ENERGY_UTILITIES, False),
        ("{town} Energy Networks plc", Sector.ENERGY_UTILITIES, False),
    ),
    Sector.TRANSPORT: (
        ("{town} Buses Ltd", Sector.TRANSPORT, False),
        ("{town} Airport Ltd", Sector.TRANSPORT, False),
        ("{surname} Logistics Ltd", Sector.TRANSPORT, False),
    ),
    Sector.CIVIL_SERVICE: (
        ("HM Revenue and Customs, {town}", Sector.CIVIL_SERVICE, True),
        ("Department for Work and Pensions, {town}", Sector.CIVIL_SERVICE, True),
    ),
    Sector.MANUFACTURING: (
        ("{surname} Engineering Ltd", Sector.MANUFACTURING, False),
        ("{town} Foods plc", Sector.MANUFACTURING, False),
        ("{surname} and Sons Ltd", Sector.MANUFACTURING, False),
        ("{town} Home Stores Ltd", Sector.RETAIL, False),
    ),
}

# Workplace name templates by employer sector.
WORKPLACE_TEMPLATES: dict[str, tuple[str, ...]] = {
    Sector.LOCAL_GOVERNMENT: ("{town} Civic Centre", "{street} Depot", "{street} Library", "{street} Care Home"),
    Sector.HEALTH: ("{town} General Hospital", "{street} Health Centre", "{street} Clinic", "{street} Care Home"),
    Sector.EDUCATION: ("{street} Primary School", "{street} Academy", "{town} Campus", "{street} High School"),
    Sector.COMMUNITY: ("{street} Community Centre", "{street} Advice Centre", "{town} Head Office"),
    Sector.POLICE_JUSTICE: ("{town} Police Station", "{street} Custody Suite", "{town} Probation Office"),
    Sector.ENERGY_UTILITIES: ("{street} Treatment Works", "{town} Control Centre", "{street} Depot"),
    Sector.TRANSPORT: ("{street} Bus Depot", "{town} Interchange", "{street} Warehouse"),
    Sector.CIVIL_SERVICE: ("{town} Jobcentre", "{town} Benefit Centre", "{street} Tax Office"),
    Sector.MANUFACTURING: ("{street} Works", "{street} Factory", "{street} Distribution Centre"),
    Sector.RETAIL: ("{town} Store", "{street} Distribution Centre", "{town} Retail Park Store"),
}
STREETS = (
    "Station Road", "High Street", "Church Lane", "Victoria Road", "Mill Lane", "Park Road", "London Road",
    "Queen Street", "Albert Road", "Manor Way", "Canal Street", "King Street", "Chapel Lane", "Bridge Street",
    "Green Lane", "Springfield Road", "Market Street", "Castle Street", "Northgate", "Riverside Way",
    "Brook Lane", "Ashfield Road", "Clarence Street", "Wellington Road",
)  # fmt: skip

# People: job titles by the sector of their employer.
JOB_TITLES: dict[str, tuple[str, ...]] = {
    Sector.LOCAL_GOVERNMENT: (
        "Refuse collector", "Customer services adviser", "Library assistant", "Social worker", "Care assistant",
        "Highways operative", "Finance officer", "Leisure attendant", "Housing officer", "Cleaner",
        "Benefits assessor", "Business support officer", "Caretaker", "Planning officer", "Kitchen assistant",
    ),
    Sector.HEALTH: (
        "Healthcare assistant", "Staff nurse", "Porter", "Domestic assistant", "Ward clerk", "Medical secretary",
        "Pharmacy technician", "Catering assistant", "Physiotherapy assistant", "Receptionist",
        "Maternity support worker", "Estates technician", "Phlebotomist", "Security officer",
        "Sterile services technician",
    ),
    Sector.EDUCATION: (
        "Teaching assistant", "Lunchtime supervisor", "School business manager", "Site manager", "Cleaner",
        "Learning support assistant", "Cook", "Science technician", "Lecturer", "Librarian", "Exams officer",
        "Office administrator", "Higher level teaching assistant", "IT technician",
    ),
    Sector.COMMUNITY: ("Support worker", "Advice worker", "Driver", "Project officer", "Housing officer"),
    Sector.POLICE_JUSTICE: (
        "Police community support officer", "Call handler", "Detention officer", "Probation officer",
    ),
    Sector.ENERGY_UTILITIES: ("Network engineer", "Meter reader", "Control room operator", "Customer adviser"),
    Sector.TRANSPORT: ("Bus driver", "Engineer", "Vehicle cleaner", "Controller", "Warehouse operative", "Fitter"),
    Sector.CIVIL_SERVICE: ("Work coach", "Administrative officer", "Executive officer", "Compliance caseworker"),
    Sector.MANUFACTURING: (
        "CNC machinist", "Assembly operative", "Quality inspector", "Maintenance fitter", "Forklift driver",
        "Production supervisor", "Apprentice engineer", "Laboratory technician", "Packer",
    ),
    Sector.RETAIL: ("Sales assistant", "Warehouse operative", "Shift manager", "Checkout operator", "Delivery driver"),
}  # fmt: skip

OTHER_STATUSES = (Status.NON_MEMBER, Status.LAPSED, Status.RETIRED, Status.UNEMPLOYED)
OTHER_STATUS_WEIGHTS = (55, 25, 12, 8)
MEMBER_SHARE = 0.85
ABROAD_TIME_ZONES = ("Europe/Madrid", "Europe/Warsaw", "Europe/Dublin", "Australia/Sydney", "America/Toronto")
# Name origins, their share of people and the languages some of them prefer.
NAME_ORIGINS = (("en_GB", 86), ("en_IN", 8), ("pl_PL", 4), ("ro_RO", 2))
LANGUAGES = {
    "en_GB": (0.004, ("Welsh", "British Sign Language", "Somali", "Arabic")),
    "en_IN": (0.12, ("Gujarati", "Punjabi", "Urdu", "Bengali")),
    "pl_PL": (0.3, ("Polish",)),
    "ro_RO": (0.3, ("Romanian",)),
}


# The builder ------------------------------------------------------------------------------------


def demo_data_exists() -> bool:
    return OrgUnit.objects.exists() or Person.objects.exists()


class DemoDataExists(Exception):
    pass


def build_demo(
    *, size: DemoSize = SIZES["branch"], seed: int = DEFAULT_SEED, log: Callable[[str], object] | None = None
) -> DemoSummary:
    """Fill an empty database with the demo organisation, people and logins, in one transaction.

    The same seed gives the same data. Raises DemoDataExists when there are units or people already.
    """
    started = time.perf_counter()
    log = log or (lambda message: None)
    _check_size(size)
    rng = random.Random(seed)
    with engine.temporary_data_on_disk(), transaction.atomic():
        if demo_data_exists():
            raise DemoDataExists("The database already has units or people.")
        plans = _branch_plans(size, rng)
        units = _create_units(size, plans)
        employers = _create_employers(size, plans, units, rng)
        workplaces = _create_workplaces(size, plans, units, employers, rng)
        people = _create_people(size, plans, units, workplaces, _NamePools(seed), rng, log)
        _update_headcounts(workplaces, people.per_workplace, rng)
        users = _create_logins(units, workplaces)
        if size.people:
            # Imported here because the reps demo reads this module's logins.
            from learningdesk.employers.demo import build_demo_employers
            from learningdesk.learning.demo import build_demo_learning
            from learningdesk.reports.demo import build_demo_reports
            from learningdesk.reps.demo import build_demo_reps
            from learningdesk.surveys.demo import build_demo_surveys

            build_demo_reps(seed=seed, log=log)
            build_demo_learning(seed=seed, log=log)
            build_demo_surveys(seed=seed, log=log)
            build_demo_employers(seed=seed, log=log)  # after the reps and learning it refers to
            build_demo_reports(log=log)
    return DemoSummary(
        units=len(units),
        employers=len(employers),
        workplaces=len(workplaces),
        people=people.people,
        members=people.members,
        consents=people.consents,
        equality_records=people.equality_records,
        users=users,
        seconds=time.perf_counter() - started,
    )


def _check_size(size: DemoSize) -> None:
    core = SIZES["branch"]
    more_branches, more_employers = size.branches - core.branches, size.employers - core.employers
    more_workplaces = size.workplaces - core.workplaces
    if min(size.regions - core.regions, more_branches, more_employers, more_workplaces, size.people) < 0:
        raise ValueError("A demo has at least the East Midlands core: 1 region, 3 branches, 12 employers, 40 sites.")
    if len({more_branches > 0, more_employers > 0, more_workplaces > 0}) > 1 or more_workplaces < more_branches:
        raise ValueError("Add branches, employers and workplaces together, with at least one workplace per branch.")


# Units


def _towns(spec: str) -> list[tuple[str, str]]:
    return [tuple(item.split(":")) for item in spec.split()]  # type: ignore[misc]


def _branch_plans(size: DemoSize, rng: random.Random) -> list[BranchPlan]:
    """The core branches and, for a larger size, generated ones spread round-robin over the regions."""
    regions = [("EM", _towns(MORE_EM_TOWNS))] + [
        (code, _towns(towns)) for code, _name, towns in _more_regions(size.regions - 1)
    ]
    # Every region's (town, kind) pairs in a random order; a region hands out its next pair in turn.
    choices = {}
    for code, towns in regions:
        pairs = list(itertools.product(towns, BRANCH_KINDS))
        rng.shuffle(pairs)
        choices[code] = iter(pairs)
    plans = list(CORE_BRANCHES)
    codes = {plan.code for plan in plans}
    for number, (region_code, region_towns) in zip(
        range(size.branches - len(CORE_BRANCHES)), itertools.cycle(regions), strict=False
    ):
        pair = next(choices[region_code], None)
        if pair is None:  # more branches asked for than the town list offers
            (town, area), kind = rng.choice(region_towns), rng.choice(BRANCH_KINDS)
            name = f"{town} {kind[0]} {number + 1}"
        else:
            (town, area), kind = pair
            name = f"{town} {kind[0]}"
        code = _unit_code(region_code, town, kind[1], codes)
        plans.append(BranchPlan(name, code, region_code, town, area, kind[2]))
    return plans


def _more_regions(count: int) -> list[tuple[str, str, str]]:
    regions = list(MORE_REGIONS[:count])
    regions += [(f"R{n}", f"Region {n}", MORE_EM_TOWNS) for n in range(len(regions) + 2, count + 2)]
    return regions


def _unit_code(region_code: str, town: str, suffix: str, taken: set[str]) -> str:
    base = f"{region_code}-{''.join(c for c in town.upper() if c.isalnum())[:8]}-{suffix}"
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base[:16]}{number}"
    taken.add(code)
    return code


def _create_units(size: DemoSize, plans: list[BranchPlan]) -> dict[str, OrgUnit]:
    """The tree, added in name order so that treebeard never has to shift siblings' paths."""
    kinds = {kind.depth: kind for kind in UnitKind.objects.all()}
    root = OrgUnit.objects.add_root(instance=OrgUnit(name=NATIONAL[0], code=NATIONAL[1], kind=kinds[1]))
    units = {root.code: root}
    region_names = [CORE_REGION] + [(name, code) for code, name, _ in _more_regions(size.regions - 1)]
    for name, code in sorted(region_names):
        units[code] = OrgUnit.objects.add_child(root, instance=OrgUnit(name=name, code=code, kind=kinds[2]))
    for plan in sorted(plans, key=lambda plan: plan.name):
        branch = OrgUnit(name=plan.name, code=plan.code, kind=kinds[3])
        units[plan.code] = OrgUnit.objects.add_child(units[plan.region_code], instance=branch)
    return units


# Employers and workplaces


def _create_employers(
    size: DemoSize, plans: list[BranchPlan], units: dict[str, OrgUnit], rng: random.Random
) -> dict[str, tuple[Employer, BranchPlan | None]]:
    """Employers by key, each with the branch whose workplaces it mainly has (None for the core ones)."""
    now = timezone.now()
    made: dict[str, tuple[Employer, BranchPlan | None]] = {}
    for plan in CORE_EMPLOYERS:
        employer = Employer(
            name=plan.name,
            sector=plan.sector,
            is_public_sector=plan.is_public_sector,
            unit=units[plan.unit_code],
            website=plan.website,
            created_at=now,
        )
        made[plan.key] = (employer, None)
    more_branches = plans[len(CORE_BRANCHES) :]
    rng.shuffle(more_branches)
    surnames = Faker("en_GB")
    surnames.seed_instance(rng.random())
    for number in range(size.employers - len(CORE_EMPLOYERS)):
        branch = more_branches[number % len(more_branches)]
        template, sector, public = rng.choice(EMPLOYER_TEMPLATES[branch.sector])
        employer = Employer(
            name=template.format(town=branch.town, surname=surnames.last_name()),
            sector=sector,
            is_public_sector=public,
            unit=units[branch.code],
            created_at=now,
        )
        made[f"generated-{number}"] = (employer, branch)
    Employer.objects.bulk_create([employer for employer, _ in made.values()], batch_size=BULK_BATCH)
    return made


@dataclass
class _Site:
    workplace: Workplace
    sector: str
    weight: float  # how many of the branch's people work here, relatively


def _create_workplaces(
    size: DemoSize,
    plans: list[BranchPlan],
    units: dict[str, OrgUnit],
    employers: dict[str, tuple[Employer, BranchPlan | None]],
    rng: random.Random,
) -> list[_Site]:
    sites = [
        _Site(
            Workplace(
                employer=employers[plan.employer_key][0],
                branch=units[plan.branch_code],
                name=plan.name,
                address=plan.address,
                town=plan.town,
                postcode=plan.postcode,
                headcount=plan.headcount,
            ),
            employers[plan.employer_key][0].sector,
            plan.headcount,
        )
        for plan in CORE_WORKPLACES
    ]
    generated = [(employer, branch) for employer, branch in employers.values() if branch is not None]
    by_region: dict[str, list[BranchPlan]] = {}
    for plan in plans[len(CORE_BRANCHES) :]:
        by_region.setdefault(plan.region_code, []).append(plan)
    count = size.workplaces - len(CORE_WORKPLACES)
    # First one workplace in every generated branch, then one for every employer, then anywhere.
    placements: list[tuple[Employer, BranchPlan]] = []
    branch_owner: dict[str, Employer] = {}
    for employer, branch in generated:
        branch_owner.setdefault(branch.code, employer)
    for plan in plans[len(CORE_BRANCHES) :]:
        placements.append((branch_owner.get(plan.code) or rng.choice(generated)[0], plan))
    placed = {id(employer) for employer, _ in placements}
    for employer, branch in generated:
        if id(employer) not in placed:
            placements.append((employer, branch))
            placed.add(id(employer))
    while len(placements) < count:
        employer, branch = rng.choice(generated)
        if rng.random() < 0.1:  # some employers have sites organised by another branch of the region
            branch = rng.choice(by_region[branch.region_code])
        placements.append((employer, branch))
    for employer, branch in placements[:count]:
        street = rng.choice(STREETS)
        name = rng.choice(WORKPLACE_TEMPLATES[employer.sector]).format(town=branch.town, street=street)
        workplace = Workplace(
            employer=employer,
            branch=units[branch.code],
            name=name,
            address=f"{rng.randint(1, 240)} {street}",
            town=branch.town,
            postcode=_postcode(branch.postcode_area, rng),
            headcount=None,  # set once the people are in (_update_headcounts)
        )
        sites.append(_Site(workplace, employer.sector, rng.lognormvariate(5, 1)))
    Workplace.objects.bulk_create([site.workplace for site in sites], batch_size=BULK_BATCH)
    return sites


def _postcode(area: str, rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in the inward part of a UK postcode
    return f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _update_headcounts(sites: list[_Site], per_workplace: Counter[int], rng: random.Random) -> None:
    """Headcounts above the number of people we hold there: not everyone is in the union."""
    changed = []
    for site in sites:
        here = per_workplace[site.workplace.pk]
        at_least = max(math.ceil(here * rng.uniform(1.3, 2.5)), rng.randint(10, 80))
        if site.workplace.headcount is None or site.workplace.headcount < here:
            site.workplace.headcount = at_least
            changed.append(site.workplace)
    Workplace.objects.bulk_update(changed, ["headcount"], batch_size=BULK_BATCH)


# People


class _NamePools:
    """Names drawn once from Faker (which keeps their real frequencies), then picked cheaply per person."""

    def __init__(self, seed: int) -> None:
        self.origins = [origin for origin, _ in NAME_ORIGINS]
        self.origin_weights = list(itertools.accumulate(weight for _, weight in NAME_ORIGINS))
        self.pools = {}
        for origin in self.origins:
            fake = Faker(origin)
            fake.seed_instance(seed)
            draws = 1_500 if origin == "en_GB" else 300
            female_last = getattr(fake, "last_name_female", fake.last_name)
            male_last = getattr(fake, "last_name_male", fake.last_name)
            self.pools[origin] = {
                "female": (
                    [fake.first_name_female() for _ in range(draws // 3)],
                    [female_last() for _ in range(draws)],
                ),
                "male": ([fake.first_name_male() for _ in range(draws // 3)], [male_last() for _ in range(draws)]),
            }

    def pick(self, rng: random.Random) -> tuple[str, str, str, str]:
        """Origin, gender, first name, last name."""
        origin = rng.choices(self.origins, cum_weights=self.origin_weights)[0]
        gender = "female" if rng.random() < 0.58 else "male"  # the public sector workforce is mostly women
        first_names, last_names = self.pools[origin][gender]
        return origin, gender, rng.choice(first_names), rng.choice(last_names)


@dataclass
class _PeopleCounts:
    people: int = 0
    members: int = 0
    consents: int = 0
    equality_records: int = 0
    per_workplace: Counter[int] = dataclasses.field(default_factory=Counter)


def _branch_sizes(size: DemoSize, plans: list[BranchPlan], rng: random.Random) -> list[int]:
    """People per branch, in the order of `plans`."""
    if len(plans) == len(CORE_BRANCHES):
        return _shares(size.people, CORE_BRANCH_SHARES)
    low, high = size.branch_people
    sizes = sorted(_spread(size.people, len(plans), low, high, rng), reverse=True)
    # Derby gets the largest branch: the benchmark signs in as its co-ordinator and should see the worst case.
    rest = sizes[1:]
    rng.shuffle(rest)
    return [sizes[0], *rest]


def _shares(total: int, weights: tuple[float, ...] | list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder), adding up exactly."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _spread(total: int, n: int, low: int, high: int, rng: random.Random) -> list[int]:
    """n sizes between low and high adding up to total: log-uniform, so many small branches and a few big ones."""
    if not low * n < total < high * n:
        return _shares(total, [1] * n)
    raw = [low * (high / low) ** rng.random() for _ in range(n)]

    def clipped(factor: float) -> list[float]:
        return [min(high, max(low, value * factor)) for value in raw]

    # Find the scale at which the clipped sizes add up to total (the sum only grows with the scale).
    below, above = 0.0, high / min(raw)
    for _ in range(100):
        middle = (below + above) / 2
        below, above = (middle, above) if sum(clipped(middle)) < total else (below, middle)
    sizes = [int(value) for value in clipped(above)]
    missing = total - sum(sizes)
    step = 1 if missing > 0 else -1
    for i in itertools.cycle(range(n)):
        if not missing:
            break
        if low <= sizes[i] + step <= high:
            sizes[i] += step
            missing -= step
    return sizes


def _create_people(
    size: DemoSize,
    plans: list[BranchPlan],
    units: dict[str, OrgUnit],
    sites: list[_Site],
    names: _NamePools,
    rng: random.Random,
    log: Callable[[str], object],
) -> _PeopleCounts:
    """People streamed in chunks, each chunk followed by its consents and equality records."""
    counts = _PeopleCounts()
    sites_by_branch: dict[int, list[_Site]] = {}
    for site in sites:
        sites_by_branch.setdefault(site.workplace.branch_id, []).append(site)
    rows = _people_rows(size, plans, units, sites_by_branch, names, rng)
    now = timezone.now()
    # The member import's bulk machinery: for a national-size load, the search indexes are built once at the end.
    with engine.search_indexes_rebuilt(size.people >= engine.BIG_LOAD):
        _insert_people(rows, size, counts, rng, now, log)
    return counts


def _insert_people(
    rows: Iterator[Person],
    size: DemoSize,
    counts: _PeopleCounts,
    rng: random.Random,
    now: datetime.datetime,
    log: Callable[[str], object],
) -> None:
    for chunk in itertools.batched(rows, PEOPLE_CHUNK):
        people = Person.objects.bulk_create(chunk, batch_size=BULK_BATCH)
        consents = list(_consents_for(people, rng, now))
        equality = list(_equality_for(people, rng, now))
        Consent.objects.bulk_create(consents, batch_size=BULK_BATCH)
        EqualityRecord.objects.bulk_create(equality, batch_size=BULK_BATCH)
        counts.people += len(people)
        counts.members += sum(person.status == Status.MEMBER for person in people)
        counts.consents += len(consents)
        counts.equality_records += len(equality)
        counts.per_workplace.update(person.workplace_id for person in people if person.workplace_id)
        reset_queries()  # with DEBUG on, Django keeps the SQL of recent queries: thousands of rows each here
        if counts.people % 100_000 < PEOPLE_CHUNK <= counts.people:
            log(f"  {counts.people:,} of {size.people:,} people")


def _people_rows(
    size: DemoSize,
    plans: list[BranchPlan],
    units: dict[str, OrgUnit],
    sites_by_branch: dict[int, list[_Site]],
    names: _NamePools,
    rng: random.Random,
) -> Iterator[Person]:
    today = timezone.localdate()
    now = timezone.now()
    # Unique membership numbers without remembering the ones given: i -> (a*i + b) mod m is one-to-one
    # when a and m have no common factor (m = 2**6 * 3**2 * 5**6).
    modulus, multiplier, offset = 9_000_000, 2_750_159, rng.randrange(9_000_000)
    member_number = 0
    for plan, branch_size in zip(plans, _branch_sizes(size, plans, rng), strict=True):
        branch = units[plan.code]
        sites = sites_by_branch[branch.pk]
        cumulative = list(itertools.accumulate(site.weight for site in sites))
        for _ in range(branch_size):
            origin, gender, first_name, last_name = names.pick(rng)
            is_member = rng.random() < MEMBER_SHARE
            status = Status.MEMBER if is_member else rng.choices(OTHER_STATUSES, OTHER_STATUS_WEIGHTS)[0]
            abroad = is_member and rng.random() < 0.003
            site = None
            if status not in (Status.RETIRED, Status.UNEMPLOYED) and not abroad and rng.random() > 0.02:
                site = rng.choices(sites, cum_weights=cumulative)[0]
            number = None
            if is_member:
                number = f"A{1_000_000 + (multiplier * member_number + offset) % modulus:07d}"
                member_number += 1
            yield Person(
                membership_number=number,
                title=_title(gender, rng),
                first_name=first_name,
                last_name=last_name,
                email=_email(first_name, last_name, rng) if rng.random() < 0.65 else "",
                phone=f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.45 else "",
                branch=branch,
                workplace=site.workplace if site else None,
                status=status,
                joined_on=_joined_on(status, today, rng),
                job_title=_job_title(site, status, rng),
                preferred_language=_language(origin, rng),
                time_zone=rng.choice(ABROAD_TIME_ZONES) if abroad else "Europe/London",
                created_at=now,
                updated_at=now,
                imported_at=now if is_member else None,  # members came from the membership system's file
            )


def _title(gender: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return ""
    if rng.random() < 0.03:
        return rng.choice(("Dr", "Mx"))
    return rng.choice(("Ms", "Mrs", "Miss")) if gender == "female" else "Mr"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in plain if c.isascii() and c.isalnum()).lower()


def _email(first_name: str, last_name: str, rng: random.Random) -> str:
    domain = rng.choice(("example.com", "example.net", "example.org"))
    style = rng.randrange(3)
    first, last = _ascii(first_name), _ascii(last_name)
    if style == 0:
        return f"{first}.{last}@{domain}"
    if style == 1:
        return f"{first[:1]}{last}{rng.randint(1, 99)}@{domain}"
    return f"{first}{last}{rng.randint(60, 99)}@{domain}"


def _joined_on(status: str, today: datetime.date, rng: random.Random) -> datetime.date | None:
    if status == Status.NON_MEMBER:
        return None
    # More recent joiners than old hands: the smaller of two draws over forty years.
    days = min(rng.randint(20, 40 * 365), rng.randint(20, 40 * 365))
    if status == Status.RETIRED:
        days += 10 * 365
    return today - datetime.timedelta(days=days)


def _job_title(site: _Site | None, status: str, rng: random.Random) -> str:
    if site is None:
        return "Retired" if status == Status.RETIRED else ""
    return rng.choice(JOB_TITLES[site.sector])


def _language(origin: str, rng: random.Random) -> str:
    share, languages = LANGUAGES[origin]
    return rng.choice(languages) if rng.random() < share else "English"


def _consents_for(people: list[Person], rng: random.Random, now: datetime.datetime) -> Iterator[Consent]:
    """Consents for about 60% of people: members' from the membership system, others' given in person."""
    for person in people:
        if rng.random() > 0.6:
            continue
        is_member = person.status == Status.MEMBER
        method = Consent.Method.IMPORT if is_member and rng.random() < 0.8 else Consent.Method.IN_PERSON
        recorded_at = now - datetime.timedelta(days=rng.randint(1, 3 * 365), minutes=rng.randrange(24 * 60))
        kinds = [Consent.Kind.LEARNING_NEWS]
        if is_member and rng.random() < 0.5:
            kinds.append(Consent.Kind.NEWSLETTER)
        if not is_member and person.status != Status.RETIRED:
            kinds.append(Consent.Kind.JOIN_UNION)
        if is_member and rng.random() < 0.05:
            kinds.append(Consent.Kind.BECOME_REP)
        for kind in kinds:
            given = rng.random() < 0.85
            withdrawn = given and rng.random() < 0.03
            yield Consent(
                person=person,
                kind=kind,
                given=given,
                method=method,
                recorded_at=recorded_at,
                withdrawn_at=recorded_at + datetime.timedelta(days=rng.randint(10, 200)) if withdrawn else None,
            )


def _choose(rng: random.Random, choices: type[models.TextChoices], weights: tuple[int, ...]) -> str:
    return rng.choices(choices.values, weights)[0]


def _equality_for(people: list[Person], rng: random.Random, now: datetime.datetime) -> Iterator[EqualityRecord]:
    """Equality records for about 30% of people, each with the consent it was given under."""
    for person in people:
        if rng.random() > 0.3:
            continue
        given_at = now - datetime.timedelta(days=rng.randint(1, 2 * 365), minutes=rng.randrange(24 * 60))
        record = EqualityRecord(
            person=person,
            # Choice order as declared on the model, prefer-not-to-say last.
            age_band=_choose(rng, EqualityRecord.AgeBand, (8, 20, 23, 25, 19, 2, 3)),
            gender=_choose(rng, EqualityRecord.Gender, (55, 40, 1, 1, 3)),
            ethnicity=_choose(rng, EqualityRecord.Ethnicity, (12, 4, 3, 76, 2, 3)),
            disability=_choose(rng, EqualityRecord.YesNo, (16, 79, 5)),
            sexual_orientation=_choose(rng, EqualityRecord.SexualOrientation, (86, 3, 3, 1, 7)),
            consent_given_at=given_at,
            consent_method=rng.choice((Consent.Method.IN_PERSON, Consent.Method.ONLINE)),
            updated_at=given_at,
        )
        if rng.random() < 0.1:  # some questions left unanswered
            setattr(record, rng.choice(("sexual_orientation", "disability", "ethnicity")), "")
        yield record


# Logins


def _create_logins(units: dict[str, OrgUnit], sites: list[_Site]) -> int:
    """The demo users with their role assignments; roles began a year ago (the former one ended last month)."""
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    last_month = today - datetime.timedelta(days=30)
    password = make_password(DEMO_PASSWORD)  # hashed once: the same password for every demo login
    logins = DEMO_LOGINS + EXTRA_ULR_LOGINS
    users = User.objects.bulk_create(
        [
            User(
                email=login.email,
                full_name=login.full_name,
                password=password,
                date_joined=timezone.now() - datetime.timedelta(days=365),
            )
            for login in logins
        ]
    )
    admin = users[0]
    assignments = RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=user,
                role=login.role,
                unit=units[login.unit_code],
                starts_on=year_ago,
                ends_on=last_month if login.ended else None,
                granted_by=None if user is admin else admin,
            )
            for user, login in zip(users, logins, strict=True)
        ]
    )
    workplace_ids = {
        (site.workplace.branch_id, site.workplace.name): site.workplace.pk for site in sites[: len(CORE_WORKPLACES)]
    }
    Through = RoleAssignment.workplaces.through
    Through.objects.bulk_create(
        [
            Through(roleassignment_id=assignment.pk, workplace_id=workplace_ids[(assignment.unit_id, name)])
            for assignment, login in zip(assignments, logins, strict=True)
            for name in login.workplaces
        ]
    )
    return len(users)


# A member file, as a union's membership system exports it -------------------------------------------

MEMBER_FILE_HEADERS = (
    "Membership No", "Title", "Forename", "Surname", "Email", "Mobile", "Branch", "Employer", "Workplace",
    "Job Title", "Date Joined", "Status",
)  # fmt: skip
FILE_STATUSES = (("Member", 92), ("Lapsed", 5), ("Retired", 3))


def write_member_file(path: Path, *, people: int, seed: int = DEFAULT_SEED) -> int:
    """Write a CSV of `people` members spread over the branches in the database, for the import to load.

    Branch sizes run from 50 to 15,000 members, the largest being Derby's (the benchmarks' co-ordinator);
    every membership number is different. Returns the number of rows written.
    """
    rng = random.Random(seed)
    names = _NamePools(seed)
    branches = list(OrgUnit.objects.filter(numchild=0).exclude(code="").order_by("path").values_list("pk", "code"))
    branches.sort(key=lambda branch: branch[1] != CORE_BRANCHES[0].code)  # Derby first
    sites: dict[int, list[tuple[str, str, str]]] = {}
    for branch_id, name, employer, sector in Workplace.objects.order_by("pk").values_list(
        "branch", "name", "employer__name", "employer__sector"
    ):
        sites.setdefault(branch_id, []).append((name, employer, sector))
    sizes = sorted(_spread(people, len(branches), 50, 15_000, rng), reverse=True) if branches else []
    statuses = [status for status, _weight in FILE_STATUSES]
    cumulative = list(itertools.accumulate(weight for _status, weight in FILE_STATUSES))
    today = timezone.localdate()
    modulus, multiplier, offset = 9_000_000, 2_750_159, rng.randrange(9_000_000)
    number = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MEMBER_FILE_HEADERS)
        for (branch_id, code), branch_size in zip(branches, sizes, strict=True):
            here = sites.get(branch_id, [])
            for _ in range(branch_size):
                _origin, gender, first_name, last_name = names.pick(rng)
                status = rng.choices(statuses, cum_weights=cumulative)[0]
                workplace, employer, sector = rng.choice(here) if here and status != "Retired" else ("", "", "")
                joined = today - datetime.timedelta(days=min(rng.randint(20, 40 * 365), rng.randint(20, 40 * 365)))
                writer.writerow(
                    (
                        f"A{1_000_000 + (multiplier * number + offset) % modulus:07d}",
                        _title(gender, rng),
                        first_name,
                        last_name,
                        _email(first_name, last_name, rng) if rng.random() < 0.65 else "",
                        f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.45 else "",
                        code,
                        employer,
                        workplace,
                        rng.choice(JOB_TITLES[sector]) if sector else "",
                        joined.strftime("%d/%m/%Y"),
                        status,
                    )
                )
                number += 1
    return number

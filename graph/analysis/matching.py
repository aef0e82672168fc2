"""The evidence the crosswalk weighs: which concepts a label names, and what kind of quantity it
measures, whatever the language of the label.

Labels are read in English: a record's English label (the team's translation of a Japanese
catalogue) and the English labels of IRIS+ metrics and UN SDG indicators. Words are stemmed with
the Snowball English stemmer and grouped by :data:`SYNONYMS`, a small thesaurus of
impact-measurement terms written by the team (the words of one group name one concept; a word in
:data:`BROADER` also names its broader concept: an earthquake is a disaster). A Japanese label
without an English one is read through :data:`GLOSSARY`.

Concepts are weighted by how rare they are among the metrics compared (inverse document
frequency), so that a shared rare word ("earthquake") counts more than a common one ("service").

>>> concepts("Facility recovery time after an earthquake")
['facility', 'recoveri', 'interruption', 'time', 'earthquak', 'disaster']
>>> sorted(unit_kinds("Number of hours-of-service interruptions during the reporting period."))
['count', 'duration']
>>> unit_kinds("Megawatt hours (MWh)", unit=True)
{'energy'}
>>> unit_kinds("Percentage of students receiving free and subsidized school meals")
{'ratio'}
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from impactkg.ontology import nfkc

_stemmer = snowballstemmer.stemmer("english")

#: Function words and the boilerplate of metric definitions, which say nothing of the topic.
STOP = set(
    """a an the of and or by in for to on at per with from as into within during after before
    is are be been being was were that which who whose this these those it its their than all any
    each other such etc e g eg i ie not no also only both either more less most least than
    number numbers total amount amounts value values level levels count counts percentage percent
    proportion share ratio rate rates average mean annual year years period reporting report
    organization organisation organization's organizations organisations provided provide
    receive received result results indicate indicates describe describes whether select choose
    apply applicable including include includes based using use used measure measured measures
    sic under over above below""".split()
)

#: Groups of English words that name one concept (first word: the concept's name).
SYNONYMS: list[tuple[str, ...]] = [
    ("time", "time", "hour", "hours", "minute", "minutes", "duration", "day", "days", "downtime"),
    ("disaster", "disaster", "disasters", "hazard", "hazards", "catastrophe"),
    ("damage", "damage", "damaged", "loss", "losses", "destroyed", "destruction"),
    ("interruption", "interruption", "interrupted", "disruption", "disruptions", "outage",
     "outages", "suspension", "suspended", "stoppage", "blackout"),
    ("facility", "facility", "facilities", "infrastructure", "building", "buildings", "premises"),
    ("user", "user", "users", "client", "clients", "customer", "customers", "beneficiary",
     "beneficiaries"),
    ("resident", "resident", "residents", "tenant", "tenants", "occupant", "occupants",
     "housed", "inhabitant", "inhabitants"),
    ("housing", "housing", "house", "houses", "dwelling", "dwellings", "home", "homes"),
    ("company", "company", "companies", "enterprise", "enterprises", "firm", "firms", "business",
     "businesses"),
    ("person", "person", "persons", "people", "individual", "individuals"),
    ("training", "training", "trained", "drill", "drills"),
    ("satisfaction", "satisfaction", "satisfied"),
    ("older", "older", "elderly", "senior", "seniors", "ageing", "aging"),
    ("child", "child", "children", "childcare", "schoolchildren", "kid", "kids", "adolescent",
     "adolescents"),
    ("body-weight", "obesity", "obese", "overweight", "underweight", "bmi", "thinness", "wasting",
     "malnutrition", "weight"),
    ("death", "death", "deaths", "mortality", "fatality", "fatalities"),
    ("incidence", "incidence", "prevalence", "morbidity"),
    ("renewable", "renewable", "renewables", "solar", "wind", "photovoltaic"),
    ("energy", "energy", "electricity", "electric", "electrical", "power"),
    ("generation", "generation", "generated", "generating", "generate"),
    ("shelter", "shelter", "shelters", "evacuation", "refuge"),
    ("stockpile", "stockpile", "stockpiles", "stockpiled", "stock", "reserve", "reserves",
     "supplies"),
    ("security", "security", "safety", "safe", "secure"),
    ("crime", "crime", "crimes", "violence", "violent", "homicide", "assault"),
    ("incident", "incident", "incidents", "accident", "accidents", "event", "events",
     "occurrence", "occurrences"),
    ("flood", "flood", "floods", "flooded", "flooding", "inundation", "inundated"),
    ("rain", "rain", "rainwater", "rainfall", "stormwater", "storm", "runoff"),
    ("economic", "economic", "monetary", "financial"),
    ("manufacturing", "manufacturing", "manufacture", "industrial", "production"),
    ("information", "information", "alert", "alerts", "warning", "warnings", "broadcast"),
    ("storage", "storage", "stored", "storing", "retention"),
    ("health", "health", "healthy", "healthcare"),
]  # fmt: skip

#: Words that also name a broader concept of :data:`SYNONYMS`.
BROADER: dict[str, str] = {
    "earthquake": "disaster",
    "earthquakes": "disaster",
    "flood": "disaster",
    "floods": "disaster",
    "flooding": "disaster",
    "typhoon": "disaster",
    "tsunami": "disaster",
    "cancer": "incidence",
    "diabetes": "incidence",
    "recovery": "interruption",  # a recovery time is the length of an interruption
    "restoration": "interruption",
    "shelter": "facility",
    "shelters": "facility",
}

#: Impact-measurement terms in Japanese, with English words naming the same concept; used for
#: labels that have no English label.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "再生可能エネルギー": ("renewable", "energy"), "太陽光": ("solar",), "風力": ("wind",),
    "発電": ("generation", "electricity"), "エネルギー": ("energy",), "電気": ("electricity",),
    "電力": ("electricity",), "停電": ("outage", "electricity"), "温室効果ガス": ("greenhouse",),
    "二酸化炭素": ("carbon",), "排出": ("emissions",), "削減": ("reduction",),
    "廃棄物": ("waste",), "リサイクル": ("recycling",), "水害": ("flood",), "浸水": ("flood",),
    "豪雨": ("rain",), "災害": ("disaster",), "地震": ("earthquake",), "防災": ("disaster",),
    "避難": ("evacuation",), "復旧": ("recovery",), "損壊": ("damage",), "被害": ("damage",),
    "住宅": ("housing",), "居住者": ("residents",), "入居者": ("residents",),
    "高齢者": ("older",), "子育て": ("childcare",), "児童": ("children",), "生徒": ("students",),
    "教育": ("education",), "健康": ("health",), "医療": ("healthcare",), "患者": ("patients",),
    "がん": ("cancer",), "肥満": ("obesity",), "栄養": ("nutrition",), "食事": ("meals",),
    "死亡": ("mortality",), "雇用": ("employment",), "従業員": ("employees",),
    "女性": ("women",), "研修": ("training",), "訓練": ("training",), "利用者": ("users",),
    "利活用者": ("users",), "顧客": ("clients",), "満足度": ("satisfaction",),
    "床面積": ("floor", "area"), "面積": ("area",), "建築物": ("buildings",),
    "建物": ("buildings",), "施設": ("facilities",), "土地": ("land",), "森林": ("forest",),
    "農業": ("agriculture",), "融資": ("loans",), "企業": ("companies",),
    "中小企業": ("smes",), "安全": ("safety",), "セキュリティ": ("security",),
    "インシデント": ("incidents",), "事故": ("accidents",), "犯罪": ("crime",),
    "情報": ("information",), "交通": ("transport",), "時間": ("time",),
}  # fmt: skip

_GROUP: dict[str, str] = {w: g[0] for g in SYNONYMS for w in g[1:]}
_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@lru_cache(maxsize=65536)
def _concept(word: str) -> tuple[str, ...]:
    """A word's concept: its synonym group (the word as written), else its stem; and the
    broader concept it implies."""
    out = [_GROUP.get(word) or _stemmer.stemWord(word)]
    if word in BROADER and BROADER[word] not in out:
        out.append(BROADER[word])
    return tuple(out)


def concepts(text: str) -> list[str]:
    """The concepts an English text names, in order, each once (stopwords and numbers left out)."""
    out: list[str] = []
    for word in re.findall(r"[a-z][a-z'’]*[a-z]|[a-z]", nfkc(text).casefold()):
        word = re.sub(r"['’]s$", "", word)
        if word in STOP or len(word) < 2:
            continue
        for c in _concept(word):
            if c not in out:
                out.append(c)
    return out


def japanese_concepts(label: str) -> list[str]:
    """The concepts of a Japanese label, through :data:`GLOSSARY` (longest terms first)."""
    text = nfkc(label)
    covered: list[tuple[int, int]] = []
    words: list[str] = []
    for term in sorted(GLOSSARY, key=len, reverse=True):
        for m in re.finditer(re.escape(term), text):
            if any(a <= m.start() < b for a, b in covered):
                continue
            covered.append((m.start(), m.end()))
            words += GLOSSARY[term]
    latin = _JA.sub(" ", text)  # Latin words in a Japanese label (BMI, Wi-Fi, BCP)
    return concepts(" ".join(words) + " " + latin)


def is_japanese(text: str) -> bool:
    return bool(_JA.search(text))


# ---------------------------------------------------------------------- kinds of quantity
#: Kinds of quantity, each with patterns (on NFKC, case-folded text) that name it. Unit cells are
#: read first; a label or definition is read when no unit is given.
UNIT_PATTERNS: list[tuple[str, str]] = [
    ("ghg", r"t-?co2|\bco2e\b|greenhouse gas|\bghg\b|\btco2\b"),
    ("energy", r"\b[kmgt]wh\b|\bmj\b|\bgj\b|\bjoules?\b|megawatt|kilowatt|energy generat|"
               r"amount of (?:renewable |non-renewable )?energy"),
    ("ratio", r"%|\bpercent(?:age)?\b|\bproportion\b|\bratios?\b|\brates?\b|\bshare\b|"
              r"\bprevalence\b|割合|率|\bper 1[0,]*00\b"),
    ("duration", r"\bhours?\b|\bminutes?\b|\bdays?\b|\bweeks?\b|\bmonths?\b|\bduration\b|"
                 r"\btime\b|分|時間|秒|日数"),
    ("currency", r"円|\byen\b|\busd\b|\$|\bdollars?\b|\bcurrency\b|\bvalue of\b|"
                 r"amount of money|\bexpenditures?\b|\brevenue\b|economic loss|\bcosts?\b"),
    ("area", r"㎡|\bm2\b|m²|\bha\b|\bhectares?\b|\bsquare\b|\bareas?\b|面積|\bkm2\b"),
    ("mass", r"\btonnes?\b|\btons?\b|\bkg\b|\bkilograms?\b|\bgrams?\b|\bweight of\b|トン"),
    ("volume", r"\bm3\b|㎥|\blitres?\b|\bliters?\b|\bgallons?\b|\bvolume\b"),
    ("length", r"\bkm\b|\bkilomet|\blength of\b|延長"),
    ("count", r"人|名|社|件|回|戸|個|台|棟|数|\bnumber of\b|\bcount\b|\bindividuals\b|"
              r"\bhouseholds\b|\bpersons?\b|\bpeople\b|\bcountries\b|\bcases\b"),
]  # fmt: skip
QUALITATIVE = re.compile(
    r"^(indicates whether|describes|disaggregates)|select all that apply|choose all that apply|"
    r"select one\b",
    re.IGNORECASE,
)
#: Kinds that can stand for one another: a share is counted with counts, a loss ratio with money.
COMPATIBLE = {("ratio", "count"), ("count", "ratio"), ("currency", "ratio"), ("ratio", "currency")}


def unit_kinds(text: str | None, *, unit: bool = False) -> set[str]:
    """The kinds of quantity a label or definition names (empty: it does not say); with
    ``unit``, the text is a unit cell and names one kind, the first that fits (MWh is energy,
    not a duration)."""
    if not text:
        return set()
    t = nfkc(text).casefold().replace("₂", "2")
    if QUALITATIVE.search(t.strip()):
        return {"text"}
    kinds = [kind for kind, pattern in UNIT_PATTERNS if re.search(pattern, t)]
    return set(kinds[:1] if unit else kinds)


def unit_evidence(mine: set[str], theirs: set[str]) -> tuple[float, str]:
    """1 for the same kind of quantity, 0.5 for related kinds or when a side does not say, 0
    when they differ; with the reason."""
    if not mine or not theirs:
        return 0.5, ""
    shown = f"{'/'.join(sorted(mine))} vs {'/'.join(sorted(theirs))}"
    if "text" in theirs and "text" not in mine:
        return 0.0, "a qualitative metric for a quantity"
    if mine & theirs:
        return 1.0, f"unit compatible: {shown}"
    if any((a, b) in COMPATIBLE for a in mine for b in theirs):
        return 0.5, f"unit related: {shown}"
    return 0.0, f"unit differs: {shown}"


# ---------------------------------------------------------------------- label similarity
class Corpus:
    """Inverse document frequencies of concepts over the metrics compared against."""

    def __init__(self, documents: Iterable[Iterable[str]]):
        self.df: dict[str, int] = {}
        self.n = 0
        for doc in documents:
            self.n += 1
            for c in set(doc):
                self.df[c] = self.df.get(c, 0) + 1

    def idf(self, concept: str) -> float:
        """Smoothed inverse document frequency; 0 for a concept no metric names (it cannot tell
        metrics apart)."""
        df = self.df.get(concept, 0)
        return math.log((self.n + 1) / (df + 1)) + 1.0 if df else 0.0


CONTEXT_WEIGHT = 0.3  # the outcome, impact and activity an indicator measures count less


def similarity(
    corpus: Corpus,
    main: list[str],
    context: list[str],
    label: list[str],
    definition: list[str],
) -> tuple[float, list[str]]:
    """0 to 1: how much of what the indicator names (``main``, and ``context`` at
    :data:`CONTEXT_WEIGHT`) the metric names in its label (full weight) or definition (half),
    weighted by rarity, times how much of the metric's label the indicator names; with the
    concepts shared."""
    label_set, def_set = set(label), set(definition)
    weights = {c: corpus.idf(c) for c in main}
    for c in context:
        weights.setdefault(c, CONTEXT_WEIGHT * corpus.idf(c))
    if not sum(weights.values()) or not label_set:
        return 0.0, []
    got, shared = 0.0, []
    for c, w in weights.items():
        if c in label_set:
            got += w
            shared.append(c)
        elif c in def_set:
            got += 0.5 * w
            shared.append(c)
    recall = got / sum(weights.values())
    label_w = {c: corpus.idf(c) for c in label_set}
    precision = sum(w for c, w in label_w.items() if c in weights) / (sum(label_w.values()) or 1.0)
    if not shared:
        return 0.0, []
    return round(0.7 * recall + 0.3 * precision, 3), shared



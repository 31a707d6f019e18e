"""Benchmark of the name search (cases.selectors.captive_search) at 100,000 captives.

Fills the database named by DATABASE_URL, unless it already holds 100,000 captives, with
fictional ones (bulk insert, marked fictional): North Koreans with a Hangul original, an RR
Latin name and McCune–Reischauer and Cyrillic renderings; Russians and Ukrainians with a Cyrillic
original and a passport spelling. Then, interleaved, for each query of a mix (two Hangul
syllables, a Latin surname, a McCune–Reischauer variant, Cyrillic, a service number, a case
number prefix), times the first page of 50 of the admin's search:
- the selector: `captive_search(Captive.objects.all(), text)`, ordered by case number;
- the old search: icontains on the same fields OR'd over a LEFT JOIN to renderings, DISTINCT;
and prints p50/p95 per query and over the mix, against the target p95 ≤ 30 ms for every query.

Usage (PostgreSQL; run heavy steps under the shared lock):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pt_yours python bench/search.py [--runs 30]
Not a test: the numbers depend on the machine. Exit status 1 if the target is missed.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "powtracker.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from bench.common import Row, report  # noqa: E402
from cases.choices import NameSystem, Script  # noqa: E402
from cases.models import Captive, CaptiveName, captive_name_skeleton, name_keys_fill  # noqa: E402
from cases.names import name_skeleton  # noqa: E402
from cases.selectors import CAPTIVE_SEARCH_FIELDS, captive_search  # noqa: E402
from states.models import State  # noqa: E402

SIZE = 100_000
TARGET_P95_MS = 30.0
PAGE = 50

# Korean syllables as (Hangul, Revised Romanization, McCune–Reischauer, Cyrillic).
KOREAN_FAMILY = [
    ("김", "Kim", "Kim", "Ким"), ("리", "Ri", "Ri", "Ри"), ("박", "Bak", "Pak", "Пак"),
    ("최", "Choe", "Ch'oe", "Чхве"), ("정", "Jeong", "Chŏng", "Чон"), ("강", "Gang", "Kang", "Кан"),
    ("조", "Jo", "Cho", "Чо"), ("윤", "Yun", "Yun", "Юн"), ("장", "Jang", "Chang", "Чан"),
    ("림", "Rim", "Rim", "Рим"), ("한", "Han", "Han", "Хан"), ("오", "O", "O", "О"),
    ("서", "Seo", "Sŏ", "Со"), ("신", "Sin", "Sin", "Син"), ("권", "Gwon", "Kwŏn", "Квон"),
    ("황", "Hwang", "Hwang", "Хван"), ("안", "An", "An", "Ан"), ("송", "Song", "Song", "Сон"),
    ("류", "Ryu", "Ryu", "Рю"), ("홍", "Hong", "Hong", "Хон"),
]  # fmt: skip
KOREAN_GIVEN = [
    ("철", "cheol", "ch'ŏl", "чхоль"), ("수", "su", "su", "су"), ("성", "seong", "sŏng", "сон"),
    ("일", "il", "il", "ир"), ("명", "myeong", "myŏng", "мён"), ("광", "gwang", "kwang", "кван"),
    ("혁", "hyeok", "hyŏk", "хёк"), ("주", "ju", "chu", "чу"), ("은", "eun", "ŭn", "ын"),
    ("영", "yeong", "yŏng", "ён"), ("남", "nam", "nam", "нам"), ("호", "ho", "ho", "хо"),
    ("진", "jin", "chin", "чин"), ("국", "guk", "kuk", "кук"), ("룡", "ryong", "ryong", "рён"),
    ("학", "hak", "hak", "хак"), ("복", "bok", "pok", "пок"), ("동", "dong", "tong", "тон"),
    ("춘", "chun", "ch'un", "чхун"), ("혜", "hye", "hye", "хе"), ("민", "min", "min", "мин"),
    ("석", "seok", "sŏk", "сок"), ("봉", "bong", "pong", "пон"), ("태", "tae", "t'ae", "тхэ"),
]  # fmt: skip
SLAVIC_FAMILY = [
    "Иванов", "Петров", "Смирнов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов",
    "Новиков", "Морозов", "Волков", "Алексеев", "Степанов", "Павлов", "Семёнов", "Голубев",
    "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Шевченко", "Коваленко", "Бондаренко",
    "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Коваль", "Поліщук", "Мельник",
    "Бойко", "Савченко", "Руденко", "Мороз", "Лисенко", "Гончаренко", "Марченко", "Ковальчук",
]  # fmt: skip
SLAVIC_GIVEN = [
    "Евгений", "Сергей", "Андрей", "Дмитрий", "Алексей", "Николай", "Юрий", "Олег", "Михаил",
    "Иван", "Владимир", "Виктор", "Сергій", "Андрій", "Олександр", "Микола", "Юрій", "Петро",
    "Василь", "Тарас", "Богдан", "Ігор", "Максим", "Артём", "Павел", "Роман", "Денис", "Кирилл",
]  # fmt: skip
CYRILLIC_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
        "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
        "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
        "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ы": "y", "э": "e",
        "ю": "yu", "я": "ya", "є": "ye", "ґ": "g",
    }
)  # fmt: skip
# A second, German-style spelling for passports: the variants a search must bridge.
GERMAN = [("v", "w"), ("kh", "ch"), ("zh", "sch"), ("ch", "tsch"), ("y", "j"), ("ov", "ow")]


def latin(cyrillic: str) -> str:
    return cyrillic.lower().translate(CYRILLIC_LATIN).title()


def person(n: int) -> tuple[dict, list[tuple[str, str]]]:
    """Captive fields and renderings of the n-th fictional captive (deterministic)."""
    if n % 5 < 2:  # two in five North Korean
        family = KOREAN_FAMILY[n % len(KOREAN_FAMILY)]
        first = KOREAN_GIVEN[(n // 20) % len(KOREAN_GIVEN)]
        second = KOREAN_GIVEN[(n // 480) % len(KOREAN_GIVEN)]
        fields = {
            "family_name": family[1],
            "given_names": f"{first[1]}-{second[1]}".capitalize(),
            "original_script": Script.HANGUL,
            "name_original": family[0] + first[0] + second[0],
            "service_number": f"KPA-{n:07d}",
        }
        names = [
            (NameSystem.MCCUNE_REISCHAUER, f"{family[2]} {first[2]}-{second[2]}".title()),
            (NameSystem.CYRILLIC, f"{family[3]} {first[3]} {second[3]}".title()),
        ]
        return fields, names
    family = SLAVIC_FAMILY[n % len(SLAVIC_FAMILY)]
    given = SLAVIC_GIVEN[(n // 38) % len(SLAVIC_GIVEN)]
    fields = {
        "family_name": latin(family),
        "given_names": latin(given),
        "original_script": Script.CYRILLIC,
        "name_original": f"{family} {given}",
        "service_number": f"{'ЖО' if n % 2 else 'AA'}-{n:06d}",
    }
    passport = f"{latin(family)} {latin(given)}".lower()
    for old, new in GERMAN:
        passport = passport.replace(old, new)
    return fields, [(NameSystem.LATIN_PASSPORT, passport.title())]


def skeletons_backfill() -> None:
    """Key captives another loader bulk-inserted without their skeletons (bulk_create skips
    Captive.save)."""
    unkeyed = Captive.objects.filter(name_skeleton="").only(
        "family_name", "given_names", "name_original"
    )
    count = unkeyed.count()
    if not count:
        return
    print(f"{count} captives without a skeleton key: keying them")
    batch: list[Captive] = []
    keyed: list[int] = []
    for captive in unkeyed.iterator(chunk_size=5000):
        captive.name_skeleton = captive_name_skeleton(captive)
        batch.append(captive)
        keyed.append(captive.pk)
        if len(batch) == 5000:
            Captive.objects.bulk_update(batch, ["name_skeleton"])
            batch = []
    Captive.objects.bulk_update(batch, ["name_skeleton"])
    renderings: list[CaptiveName] = []
    for rendering in CaptiveName.objects.filter(skeleton="").only("full_name").iterator(5000):
        rendering.skeleton = name_skeleton(rendering.full_name)
        renderings.append(rendering)
    CaptiveName.objects.bulk_update(renderings, ["skeleton"], batch_size=5000)
    name_keys_fill(captive_ids=keyed)


def fill() -> None:
    have = Captive.objects.count()
    if have >= SIZE:
        print(f"{have} captives: no fill")
        skeletons_backfill()
        return
    ukr, _ = State.objects.get_or_create(code="UKR", defaults={"name": "Ukraine", "language": "uk"})
    start = Captive.objects.filter(case_number__startswith="UKR-2025-S").count()
    missing = SIZE - have
    print(f"{have} captives: adding {missing} fictional ones")
    began = time.perf_counter()
    batch = 5000
    for offset in range(start, start + missing, batch):
        people = [person(n) for n in range(offset, min(offset + batch, start + missing))]
        captives = []
        for index, (fields, _names) in enumerate(people, start=offset):
            captive = Captive(
                case_number=f"UKR-2025-S{index:06d}",
                fictional=True,
                detaining_power=ukr,
                captured_on=date(2025, 1, 1 + index % 28),
                **fields,
            )
            captive.name_skeleton = captive_name_skeleton(captive)
            captives.append(captive)
        with transaction.atomic():
            Captive.objects.bulk_create(captives)
            CaptiveName.objects.bulk_create(
                [
                    CaptiveName(
                        captive=captive, system=system, full_name=full, skeleton=name_skeleton(full)
                    )
                    for captive, (_fields, names) in zip(captives, people, strict=True)
                    for system, full in names
                ]
            )
            name_keys_fill(captive_ids=[captive.pk for captive in captives])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_captive")
        cursor.execute("ANALYZE cases_captivename")
    print(f"  filled in {time.perf_counter() - began:.0f} s")


def old_search(text: str):
    """The admin's search before the selector: icontains over a LEFT JOIN, DISTINCT."""
    condition = Q()
    for field in [*CAPTIVE_SEARCH_FIELDS, "names__full_name"]:
        condition |= Q(**{f"{field}__icontains": text})
    return Captive.objects.filter(condition).distinct()


def new_search(text: str):
    return captive_search(Captive.objects.all(), text)


QUERIES = {
    "two Hangul syllables": "철수",
    "Hangul family + given": "김철",
    "Latin surname": "Kovalenko",
    "MR variant": "Ch'ŏl-su",
    "Cyrillic": "Чхоль",
    "Russian transliteration": "Jewgeni",
    "service number": "KPA-00123",
    "case number prefix": "UKR-2025-S0012",
}


def page(search, text: str) -> int:
    return len(list(search(text).order_by("case_number")[:PAGE]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    fill()
    timings: dict[tuple[str, str], list[float]] = {}
    found: dict[str, int] = {}
    for label, text in QUERIES.items():  # warm up, and count the matches once
        page(new_search, text)
        page(old_search, text)
        found[label] = new_search(text).count()
    for _ in range(runs):
        for label, text in QUERIES.items():
            for name, search in [("selector", new_search), ("old", old_search)]:
                began = time.perf_counter()
                page(search, text)
                timings.setdefault((label, name), []).append((time.perf_counter() - began) * 1000)

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]

    print(f"\nName search, first page of {PAGE}, {Captive.objects.count()} captives, {runs} runs")
    print(f"{'query':<26}{'matches':>8}{'p50':>9}{'p95':>9}{'old p50':>10}{'old p95':>10}")
    for label, text in QUERIES.items():
        new, old = timings[(label, "selector")], timings[(label, "old")]
        print(
            f"{label:<26}{found[label]:>8}{p(new, 50):>8.1f}{p(new, 95):>9.1f}"
            f"{p(old, 50):>10.1f}{p(old, 95):>10.1f}   {text}"
        )
    every_new = [t for (_label, name), ts in timings.items() if name == "selector" for t in ts]
    every_old = [t for (_label, name), ts in timings.items() if name == "old" for t in ts]
    p95 = p(every_new, 95)
    print(
        f"{'mix':<26}{'':>8}{p(every_new, 50):>8.1f}{p95:>9.1f}"
        f"{p(every_old, 50):>10.1f}{p(every_old, 95):>10.1f}   (ms)"
    )
    worst = max(p(timings[(label, "selector")], 95) for label in QUERIES)
    met = worst <= TARGET_P95_MS
    print(
        f"target p95 ≤ {TARGET_P95_MS:.0f} ms for every query: {'met' if met else 'MISSED'} "
        f"(worst {worst:.1f} ms, mix {p95:.1f} ms)"
    )
    report(
        [
            Row(
                f"name search {label} ({found[label]:,} matches), p95",
                p(timings[(label, "selector")], 95),
                baseline=p(timings[(label, "old")], 95),
                goal=f"p95 ≤ {TARGET_P95_MS:.0f} ms",
                passed=p(timings[(label, "selector")], 95) <= TARGET_P95_MS,
                note=f"p50 {p(timings[(label, 'selector')], 50):.1f} ms",
            )
            for label in QUERIES
        ],
        "Name search",
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

"""Names for the synthetic data set: Korean (Hangul with Revised Romanization, McCune–Reischauer,
North Korean and Cyrillic renderings), Russian and Ukrainian (Cyrillic with Latin
transliteration variants) and Latin names of foreign recruits. Every combination is fictional."""

import random
from dataclasses import dataclass, field

from cases.choices import NameSystem


def _words(text: str) -> list[str]:
    return text.split()


# Korean family names: Hangul as written in the North, conventional South Korean romanization
# (the one people use in passports), McCune–Reischauer, North Korean official spelling, Cyrillic
# (Kontsevich, as in Russian documents); weight in per cent of the population.
KOREAN_FAMILIES: list[tuple[str, str, str, str, str, float]] = [
    ("김", "Kim", "Kim", "Kim", "Ким", 21.5),
    ("리", "Lee", "Yi", "Ri", "Ри", 14.7),
    ("박", "Park", "Pak", "Pak", "Пак", 8.4),
    ("최", "Choi", "Ch'oe", "Choe", "Чхве", 4.7),
    ("정", "Jeong", "Chŏng", "Jong", "Чон", 4.3),
    ("강", "Kang", "Kang", "Kang", "Кан", 2.3),
    ("조", "Cho", "Cho", "Jo", "Чо", 2.1),
    ("윤", "Yoon", "Yun", "Yun", "Юн", 2.1),
    ("장", "Jang", "Chang", "Jang", "Чан", 2.0),
    ("림", "Lim", "Im", "Rim", "Рим", 1.7),
    ("한", "Han", "Han", "Han", "Хан", 1.5),
    ("오", "Oh", "O", "O", "О", 1.5),
    ("서", "Seo", "Sŏ", "So", "Со", 1.5),
    ("신", "Shin", "Sin", "Sin", "Син", 1.5),
    ("권", "Kwon", "Kwŏn", "Kwon", "Квон", 1.4),
    ("황", "Hwang", "Hwang", "Hwang", "Хван", 1.4),
    ("안", "Ahn", "An", "An", "Ан", 1.4),
    ("송", "Song", "Song", "Song", "Сон", 1.4),
    ("류", "Ryu", "Ryu", "Ryu", "Рю", 1.2),
    ("홍", "Hong", "Hong", "Hong", "Хон", 1.1),
    ("전", "Jeon", "Chŏn", "Jon", "Чон", 1.1),
    ("고", "Ko", "Ko", "Ko", "Ко", 0.9),
    ("문", "Moon", "Mun", "Mun", "Мун", 0.9),
    ("량", "Yang", "Ryang", "Ryang", "Рян", 0.9),
    ("손", "Son", "Son", "Son", "Сон", 0.9),
    ("배", "Bae", "Pae", "Pae", "Пэ", 0.8),
    ("백", "Baek", "Paek", "Paek", "Пэк", 0.7),
    ("허", "Heo", "Hŏ", "Ho", "Хо", 0.6),
    ("남", "Nam", "Nam", "Nam", "Нам", 0.5),
]

# Given-name syllables: Hangul, Revised Romanization, McCune–Reischauer (word-initial form),
# North Korean spelling, Cyrillic.
KOREAN_SYLLABLES: list[tuple[str, str, str, str, str]] = [
    ("철", "cheol", "ch'ŏl", "chol", "чхоль"),
    ("수", "su", "su", "su", "су"),
    ("영", "yeong", "yŏng", "yong", "ён"),
    ("호", "ho", "ho", "ho", "хо"),
    ("민", "min", "min", "min", "мин"),
    ("준", "jun", "chun", "jun", "чжун"),
    ("성", "seong", "sŏng", "song", "сон"),
    ("광", "gwang", "kwang", "kwang", "кван"),
    ("일", "il", "il", "il", "иль"),
    ("혁", "hyeok", "hyŏk", "hyok", "хёк"),
    ("남", "nam", "nam", "nam", "нам"),
    ("명", "myeong", "myŏng", "myong", "мён"),
    ("진", "jin", "chin", "jin", "чжин"),
    ("현", "hyeon", "hyŏn", "hyon", "хён"),
    ("국", "guk", "kuk", "kuk", "гук"),
    ("석", "seok", "sŏk", "sok", "сок"),
    ("학", "hak", "hak", "hak", "хак"),
    ("동", "dong", "tong", "dong", "дон"),
    ("은", "eun", "ŭn", "un", "ын"),
    ("정", "jeong", "chŏng", "jong", "чон"),
    ("훈", "hun", "hun", "hun", "хун"),
    ("태", "tae", "t'ae", "thae", "тхэ"),
    ("경", "gyeong", "kyŏng", "kyong", "кён"),
    ("상", "sang", "sang", "sang", "сан"),
    ("기", "gi", "ki", "ki", "ги"),
    ("원", "won", "wŏn", "won", "вон"),
    ("복", "bok", "pok", "pok", "пок"),
    ("룡", "ryong", "ryong", "ryong", "рён"),
]

# McCune–Reischauer voices an unaspirated initial after a vowel or a voiced final: Ch'ŏlsu but
# Sŏngguk, Yŏngjin.
_MR_VOICED = {"k": "g", "t": "d", "p": "b", "ch": "j"}


def _mr_medial(previous: str, syllable: str) -> str:
    if previous[-1] in "aeiouŏŭlnmg" and "'" not in syllable:
        for plain, voiced in _MR_VOICED.items():
            if syllable.startswith(plain):
                return voiced + syllable[len(plain) :]
    return syllable


RUSSIAN_FAMILIES = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков "
    "Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров "
    "Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов "
    "Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов "
    "Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин "
    "Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв "
    "Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев "
    "Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов "
    "Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов "
    "Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев "
    "Харитонов Князев Цветков Левин Логинов Горшков Савин Краснов Майоров Демидов Елисеев "
    "Рыбаков Сафонов Плотников Хохлов Жданов Шаров Зуев Шубин Шестаков Чижов Щукин Ющенко"
)
RUSSIAN_GIVEN = _words(
    "Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил Никита Матвей "
    "Роман Егор Арсений Иван Денис Евгений Даниил Тимофей Владислав Игорь Владимир Павел "
    "Руслан Марк Константин Тимур Олег Ярослав Антон Николай Глеб Вадим Степан Юрий Богдан "
    "Артур Семён Виктор Виталий Вячеслав Захар Георгий Анатолий Григорий Станислав Василий "
    "Фёдор Леонид Пётр Геннадий Валерий"
)
RUSSIAN_PATRONYMICS = _words(
    "Александрович Сергеевич Владимирович Николаевич Андреевич Алексеевич Иванович "
    "Викторович Юрьевич Михайлович Петрович Олегович Дмитриевич Игоревич Анатольевич "
    "Васильевич Евгеньевич Геннадьевич Павлович Валерьевич"
)
UKRAINIAN_FAMILIES = _words(
    "Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук Бондар "
    "Ткачук Мельник Бойко Кравчук Марченко Савченко Руденко Мороз Лисенко Петренко Клименко "
    "Павленко Кузьменко Іваненко Кравець Швець Гончаренко Левченко Харченко Пономаренко "
    "Мельничук Литвиненко Панченко Кириленко Карпенко Власенко Павлюк Ковальчук Сидоренко "
    "Василенко Яковенко Тарасенко Гнатюк Романюк Костенко Дяченко Лук'яненко Гриценко Приходько "
    "Білоус Юрченко Заїка Ярошенко Зінченко Гаврилюк Мазур Остапенко Федоренко Демченко "
    "Науменко Чорновол Гуменюк Гордієнко Сергієнко Степаненко Тимошенко Євтушенко Ігнатенко"
)
UKRAINIAN_GIVEN = _words(
    "Олександр Андрій Сергій Володимир Дмитро Іван Михайло Олег Юрій Віктор Василь Микола "
    "Богдан Тарас Максим Артем Роман Ігор Євген Денис Віталій Руслан Павло Петро Ярослав Назар "
    "Остап Степан Григорій Анатолій Валентин Олексій Вадим Станіслав Кирило Антон Юліан Ілля "
    "Данило Святослав"
)
UKRAINIAN_PATRONYMICS = _words(
    "Олександрович Андрійович Сергійович Володимирович Іванович Миколайович Васильович "
    "Петрович Михайлович Вікторович Юрійович Олегович Богданович Степанович Григорович Павлович"
)

# Foreign recruits: nationality, family names, given names (Latin only).
RECRUITS: dict[str, tuple[list[str], list[str]]] = {
    "NPL": (
        _words("Gurung Tamang Magar Rai Shrestha Thapa Limbu Sherpa Bhandari Karki"),
        _words("Ram Bikash Suman Prakash Dipak Rajesh Santosh Bishnu Hari Krishna"),
    ),
    "LKA": (
        _words("Perera Fernando Silva Bandara Jayasuriya Wickramasinghe Dissanayake Rathnayake"),
        _words("Nuwan Chaminda Kasun Tharindu Lahiru Sampath Ruwan Dinesh"),
    ),
    "CUB": (
        _words("García Rodríguez González Hernández Pérez Díaz Martínez Fernández Álvarez"),
        _words("Yoandri Yosvany Carlos Alejandro Yunior Osmany Reinier Yasmany"),
    ),
}

# Russian: passport (ICAO 9303, as in Russian passports since 2013) and BGN/PCGN.
_RU_COMMON = dict(
    zip(
        "абвгдезклмнопрстуфъыьэ",
        _words("a b v g d e z k l m n o p r s t u f ie y _ e"),
        strict=True,
    )
)
RU_ICAO = {
    **_RU_COMMON,
    **dict(zip("ёжийхцчшщюя", _words("e zh i i kh ts ch sh shch iu ia"), strict=True)),
}
RU_BGN = {
    **_RU_COMMON,
    "ъ": "",
    **dict(zip("ёжийхцчшщюя", _words("yo zh i y kh ts ch sh shch yu ya"), strict=True)),
}
RU_BGN["ь"] = ""
RU_ICAO["ь"] = ""
# Ukrainian: the national system (2010), and the Soviet-era practice of passing the name
# through its Russian spelling.
UK_NATIONAL = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'",
        _words("a b v h g d e ie zh z y i i i k l m n o p r s t u f kh ts ch sh shch _ iu ia _"),
        strict=True,
    )
)
UK_NATIONAL_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
UK_SOVIET = {
    **UK_NATIONAL,
    **dict(zip("гиіїєйюя", _words("g y i yi ye y yu ya"), strict=True)),
    "и": "i",
    "і": "i",
}


def _translit(word: str, table: dict[str, str], initial: dict[str, str] | None = None) -> str:
    out = []
    for i, ch in enumerate(word.lower()):
        rendering = (initial or {}).get(ch) if i == 0 else None
        if rendering is None:
            rendering = table.get(ch, ch)
        out.append("" if rendering == "_" else rendering)
    return "".join(out).capitalize()


@dataclass
class Person:
    """One synthetic identity: the captive's name fields and his other renderings."""

    family_name: str
    given_names: str
    name_original: str
    script: str
    father_first_name: str = ""
    renderings: list[tuple[str, str, str]] = field(default_factory=list)  # system, name, note


def _weighted(rng: random.Random, items: list, weights: list[float]) -> object:
    return rng.choices(items, weights=weights, k=1)[0]


_KOREAN_WEIGHTS = [row[5] for row in KOREAN_FAMILIES]


def korean_person(rng: random.Random) -> Person:
    family = _weighted(rng, KOREAN_FAMILIES, _KOREAN_WEIGHTS)
    hangul_f, conventional, mr_f, nk_f, cyr_f, _ = family  # type: ignore[misc]
    first, second = rng.sample(KOREAN_SYLLABLES, 2)
    hangul = f"{hangul_f}{first[0]}{second[0]}"
    rr_given = (first[1] + second[1]).capitalize()
    mr_given = (first[2] + _mr_medial(first[2], second[2])).capitalize()
    nk_given = f"{first[3].capitalize()} {second[3].capitalize()}"
    cyr_given = (first[4] + second[4]).capitalize()
    renderings = [
        (NameSystem.REVISED_ROMANIZATION, f"{conventional} {rr_given}", ""),
        (NameSystem.MCCUNE_REISCHAUER, f"{mr_f} {mr_given}", ""),
    ]
    if rng.random() < 0.6:
        renderings.append(
            (NameSystem.CYRILLIC, f"{cyr_f} {cyr_given}", "As in a Russian military ID")
        )
    if rng.random() < 0.3:
        renderings.append(
            (NameSystem.ALIAS, f"{conventional.upper()} {first[1].capitalize()}-{second[1]}", "")
        )
    return Person(
        family_name=nk_f,
        given_names=nk_given,
        name_original=hangul,
        script="hangul",
        renderings=renderings,
    )


def _zipf(n: int) -> list[float]:
    return [1 / (rank + 1) ** 0.8 for rank in range(n)]


_RU_W, _UK_W = _zipf(len(RUSSIAN_FAMILIES)), _zipf(len(UKRAINIAN_FAMILIES))


def russian_person(rng: random.Random) -> Person:
    family = _weighted(rng, RUSSIAN_FAMILIES, _RU_W)
    given, patronymic = rng.choice(RUSSIAN_GIVEN), rng.choice(RUSSIAN_PATRONYMICS)
    original = f"{family} {given} {patronymic}"
    bgn = [_translit(w, RU_BGN) for w in (family, given, patronymic)]
    icao = [_translit(w, RU_ICAO) for w in (family, given)]
    renderings = [(NameSystem.CYRILLIC, original, "")]
    renderings.append((NameSystem.LATIN_PASSPORT, f"{icao[0].upper()} {icao[1].upper()}", ""))
    if (bgn[0], bgn[1]) != (icao[0], icao[1]):
        renderings.append((NameSystem.OTHER, f"{bgn[0]} {bgn[1]}", "BGN/PCGN"))
    return Person(
        family_name=bgn[0],
        given_names=f"{bgn[1]} {bgn[2]}",
        name_original=original,
        script="cyrillic",
        renderings=renderings,
    )


def ukrainian_person(rng: random.Random) -> Person:
    family = _weighted(rng, UKRAINIAN_FAMILIES, _UK_W)
    given, patronymic = rng.choice(UKRAINIAN_GIVEN), rng.choice(UKRAINIAN_PATRONYMICS)
    original = f"{family} {given} {patronymic}"
    national = [_translit(w, UK_NATIONAL, UK_NATIONAL_INITIAL) for w in (family, given, patronymic)]
    soviet = [_translit(w, UK_SOVIET) for w in (family, given)]
    renderings = [
        (NameSystem.CYRILLIC, original, ""),
        (NameSystem.LATIN_PASSPORT, f"{national[0].upper()} {national[1].upper()}", ""),
    ]
    if (soviet[0], soviet[1]) != (national[0], national[1]):
        renderings.append((NameSystem.OTHER, f"{soviet[0]} {soviet[1]}", "Soviet-era spelling"))
    return Person(
        family_name=national[0],
        given_names=f"{national[1]} {national[2]}",
        name_original=original,
        script="cyrillic",
        renderings=renderings,
    )


def recruit_person(rng: random.Random, code: str) -> Person:
    families, givens = RECRUITS[code]
    family, given = rng.choice(families), rng.choice(givens)
    renderings = []
    if rng.random() < 0.3:
        renderings.append((NameSystem.ALIAS, f"{family.upper()} {given.upper()}", "On a contract"))
    return Person(
        family_name=family,
        given_names=given,
        name_original="",
        script="latin",
        renderings=renderings,
    )

"""The skeleton key: every rendering of one name meets, different names stay apart."""

import pytest

from cases.names import name_skeleton

# Renderings of one name that must share a key.
SAME_NAME = [
    # Korean: Hangul, Revised Romanization, McCune–Reischauer (breves, apostrophes, neither),
    # North Korean usage, Cyrillic (Kontsevich)
    ("김철수", "Kim Cheol-su"),
    ("김철수", "Kim Ch'ŏl-su"),
    ("김철수", "Kim Chol Su"),
    ("김철수", "Ким Чхоль Су"),
    ("Kim Cheolsu", "Gim Cheol-su"),
    ("Kim Chŏlsu", "Kim Ch’ol-su"),
    ("KIM Chol Su", "kim chol-su"),
    ("박성일", "Pak Song Il"),
    ("박성일", "Пак Сон Ир"),
    ("Park Seong-il", "Pak Sŏng-il"),
    ("Bak Seongil", "Pak Song-il"),
    ("이철", "Ri Chol"),
    ("이철", "Lee Cheol"),
    ("리철", "Yi Ch'ŏl"),
    ("Rhee Chol", "Ли Чхоль"),
    ("Ri Chol", "Ри Чхоль"),
    ("임", "Rim"),
    ("Im", "Lim"),
    ("류", "Ryu"),
    ("유", "Yu"),
    ("Yoo", "Ryu"),
    ("노", "Roh"),
    ("로", "No"),
    ("최", "Choi"),
    ("Choe", "Цой"),
    ("Ch'oe", "Чхве"),
    ("김정은", "Kim Jong Un"),
    ("Kim Jong-un", "Ким Чон Ын"),
    ("Kim Jŏng-ŭn", "Kim Jeong-eun"),
    ("정", "Chung"),
    ("Jeong", "Chŏng"),
    ("강명호", "Kang Myong-ho"),
    ("Gang Myeongho", "Кан Мён Хо"),
    ("황", "Hwang"),
    ("Hwang", "Хван"),
    ("권", "Kwon"),
    ("Kwŏn", "Квон"),
    ("안", "Ahn"),
    ("An", "Ан"),
    ("오", "Oh"),
    ("윤", "Yoon"),
    ("Yun", "Юн"),
    ("서", "Suh"),
    ("태영호", "Thae Yong Ho"),
    ("Tae Yeong-ho", "Т'ae Yŏng-ho"),
    ("백", "Paek"),
    ("Baek", "Пэк"),
    ("리영희", "Lee Young-hee"),
    ("Ri Yong Hui", "이영희"),
    ("김영철", "Kim Yong Chol"),
    ("Kim Yŏng-ch'ŏl", "Ким Ён Чхоль"),
    # Russian and Ukrainian: transliterations, -ov/-off/-ow, і/и/ї, Ukrainian h for g
    ("Yevgeny", "Evgeniy"),
    ("Jewgeni", "Евгений"),
    ("Evgenii", "Yevgeniy"),
    ("Sergei", "Sergey"),
    ("Serhiy", "Сергій"),
    ("Sergej", "Сергей"),
    ("Serhii", "Sergei"),
    ("Ivanov", "Ivanoff"),
    ("Iwanow", "Иванов"),
    ("Ivanova", "Иванова"),
    ("Smirnoff", "Смирнов"),
    ("Oleh", "Oleg"),
    ("Олег", "Oleh"),
    ("Olha", "Olga"),
    ("Ольга", "Olha"),
    ("Mykola", "Микола"),
    ("Nikolai", "Николай"),
    ("Nikolay", "Nikolaj"),
    ("Dmitry", "Dmitriy"),
    ("Dmitri", "Дмитрий"),
    ("Andriy", "Андрій"),
    ("Andrei", "Andrey"),
    ("Andrii", "Andrej"),
    ("Alekseyev", "Alekseev"),
    ("Алексеев", "Alexeev"),
    ("Shevchenko", "Шевченко"),
    ("Ševčenko", "Schewtschenko"),
    ("Kovalchuk", "Ковальчук"),
    ("Kowaltschuk", "Koval'chuk"),
    ("Yuriy", "Юрій"),
    ("Yuriy", "Юрий"),
    ("Mariya", "Maria"),
    ("Марія", "Mariia"),
    ("Mikhail", "Михаил"),
    ("Yelena", "Елена"),
    ("Jelena", "Elena"),
    ("Viktor", "Victor"),
    ("Віктор", "Viktor"),
    ("Zhukov", "Жуков"),
    ("Žukov", "Zhukov"),
    ("Lyudmila", "Людмила"),
    ("Ivanov Ivan", "Иванов Иван"),
    ("Petro Ivanovych Bondarenko", "Петро Іванович Бондаренко"),
    ("Tsoi", "Цой"),
]

# Different people whose names must not share a key.
DIFFERENT_NAMES = [
    ("Kim Chol", "Kim Chul-min"),
    ("Kim Chol", "Kim Chol-min"),
    ("Pak", "Paek"),
    ("박", "백"),
    ("Ivanov", "Ivanova"),  # a man and a woman: different people
    ("Hong", "Kong"),
    ("홍", "공"),
    ("Han", "Kan"),
    ("Kim Chol Su", "Kim Chol Ho"),
    ("김철수", "김철호"),
    ("Ri Chol", "Ri Chang"),
    ("Kim Song Il", "Kim Sang Il"),
    ("Choi", "Cho"),
    ("Chang", "Jeong"),
    ("Yu", "Yun"),
    ("Kang", "Kwang"),
    ("Sergei", "Sergeev"),
    ("Ivan", "Ivanov"),
    ("Olga", "Oleg"),
    ("Mykola", "Mykhailo"),
    ("Andrei", "Andreev"),
    ("Petrov", "Petrova"),
    ("Aleksandr", "Aleksandra"),
    ("Kim Jong Un", "Kim Jong Il"),
    ("Kim Yong Chol", "Kim Yong Chun"),
]


@pytest.mark.parametrize(("first", "second"), SAME_NAME)
def test_renderings_of_one_name_share_a_key(first: str, second: str) -> None:
    assert name_skeleton(first) == name_skeleton(second) != ""


@pytest.mark.parametrize(("first", "second"), DIFFERENT_NAMES)
def test_different_names_keep_different_keys(first: str, second: str) -> None:
    assert name_skeleton(first) != name_skeleton(second)


def test_the_key_is_ascii_upper_case_without_spaces() -> None:
    key = name_skeleton("Ким Чхоль Су")
    assert key.isascii() and key.isupper() and " " not in key
    assert name_skeleton("") == name_skeleton("  -  ") == ""

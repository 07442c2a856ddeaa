import pytest

from patients import normalize


def test_fold_makes_katakana_and_hiragana_equal():
    assert normalize.fold("ヤマダ タロウ") == normalize.fold("やまだ たろう") == "やまだたろう"


def test_fold_folds_half_width_kana_with_voiced_marks():
    assert normalize.fold("ﾔﾏﾀﾞ") == "やまだ"


def test_fold_folds_full_width_digits_and_latin():
    assert normalize.fold("０９０ＡＢ") == "090ab"


def test_fold_drops_spaces_of_both_widths_and_dashes():
    assert normalize.fold("山田\u3000太郎 ") == "山田太郎"
    assert normalize.fold("090-1234－5678") == "09012345678"


def test_fold_keeps_the_long_vowel_mark():
    assert normalize.fold("ユーコ") == "ゆーこ"


def test_fold_cannot_smuggle_the_field_separator():
    assert normalize.FIELD_SEPARATOR not in normalize.fold("やま|だ")


def test_to_katakana_accepts_hiragana_and_half_width():
    assert normalize.to_katakana("やまだ") == "ヤマダ"
    assert normalize.to_katakana("ﾔﾏﾀﾞ") == "ヤマダ"


def test_is_katakana_rejects_kanji_and_latin():
    assert normalize.is_katakana("ヤマダ")
    assert not normalize.is_katakana("山田")
    assert not normalize.is_katakana("Yamada")


def test_digits_reads_full_width_numbers():
    assert normalize.digits("０３（１２３４）５６７８") == "0312345678"


def test_search_key_keeps_fields_apart():
    key = normalize.search_key("山田太郎", "ヤマダタロウ", "09012345678")
    assert key == "||山田太郎||やまだたろう||09012345678"


@pytest.mark.parametrize(
    "variants",
    [
        ("渡辺", "渡邉", "渡邊", "渡邉\U000e0102"),
        ("斉藤", "斎藤", "齋藤", "齊藤"),
        ("高橋", "髙橋"),
        ("山崎", "山﨑", "山嵜"),
        ("島田", "嶋田"),
        ("吉田", "𠮷田"),
    ],
)
def test_kanji_variants_of_a_name_fold_to_one_form(variants):
    assert len({normalize.fold(name) for name in variants}) == 1


def test_different_names_stay_different_after_folding():
    # Not variants: 崎 and 埼, 斉 and 済, 辺 and 迎 are other characters.
    assert normalize.fold("山崎") != normalize.fold("山埼")
    assert normalize.fold("斉藤") != normalize.fold("済藤")
    assert normalize.fold("渡辺") != normalize.fold("渡迎")

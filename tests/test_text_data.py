import pytest

from dgm_core.data import text


def test_split_is_deterministic_contiguous_and_complete(tmp_path):
    corpus = "".join(chr(97 + i % 26) for i in range(1000))
    path = tmp_path / "c.txt"
    path.write_text(corpus, encoding="utf-8")
    train, val = text.split_text(text.load_text(path), 0.1)
    assert train + val == corpus and len(val) == 100
    assert text.split_text(corpus, 0.1) == (train, val)


def test_missing_or_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="DGM_TEXT_PATH"):
        text.load_text(tmp_path / "nope.txt")
    with pytest.raises(ValueError):
        text.split_text("abc", 1.5)

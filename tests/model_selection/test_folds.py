"""check_folds: fold for fold scikit-learn's StratifiedKFold and KFold on real labels, on every
backend, splitter objects and (train, test) pairs passed through, and every bad ``cv``
refused before any fit, with a message that names ``cv``.

References: scikit-learn 1.9's ``StratifiedKFold`` / ``KFold`` (no shuffling), and the splitters
themselves for splitter objects."""

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.model_selection import (
    KFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

from xlogreg.model_selection import check_folds
from xlogreg.model_selection._folds import chunk_test_folds, fold_bounds


def _imbalanced_strings(n=263, seed=0):
    """String labels in random order, one class of 9 samples against 180 and 74."""
    rng = np.random.default_rng(seed)
    y = np.array(["cat"] * 180 + ["ant"] * 74 + ["zebra"] * 9)
    return y[rng.permutation(n)]


def _sorted_by_label_blocks(seed=1):
    """Labels that appear in an order other than their sorted order, in blocks: scikit-learn
    numbers the classes by first appearance."""
    rng = np.random.default_rng(seed)
    return np.concatenate([np.full(13, 7), np.full(31, 2), rng.integers(0, 9, 140)])


LABELS = {
    "iris": lambda: load_iris(return_X_y=True)[1],
    "wine": lambda: load_wine(return_X_y=True)[1],
    "breast_cancer": lambda: load_breast_cancer(return_X_y=True)[1],
    "imbalanced_strings": _imbalanced_strings,
    "appearance_order": _sorted_by_label_blocks,
}


def _sklearn_folds(splitter, y):
    return [(tr.tolist(), te.tolist()) for tr, te in splitter.split(np.zeros((len(y), 1)), y)]


@pytest.mark.parametrize("name", LABELS)
@pytest.mark.parametrize("n_splits", [2, 3, 5, 7])
def test_int_cv_is_stratified_k_fold_for_a_classifier(name, n_splits):
    y = LABELS[name]()
    assert check_folds(n_splits, y, classifier=True) == _sklearn_folds(StratifiedKFold(n_splits), y)


@pytest.mark.parametrize("n_samples", [10, 11, 150, 569])
@pytest.mark.parametrize("n_splits", [2, 3, 5, 10])
def test_int_cv_is_k_fold_for_a_regressor(n_samples, n_splits):
    y = np.linspace(0.0, 1.0, n_samples)
    expected = _sklearn_folds(KFold(n_splits), y)
    assert check_folds(n_splits, y, classifier=False) == expected
    assert check_folds(n_splits, None, classifier=False, n_samples=n_samples) == expected


def test_cv_none_is_five_folds_as_in_scikit_learn():
    y = load_iris(return_X_y=True)[1]
    assert check_folds(None, y, classifier=True) == _sklearn_folds(StratifiedKFold(5), y)
    assert check_folds(None, y, classifier=False) == _sklearn_folds(KFold(5), y)


def test_labels_on_every_backend_give_the_same_folds(backend):
    """Labels on the device are read back once; the folds are those of the host labels."""
    y = load_wine(return_X_y=True)[1]
    on_row = backend.asarray(y, dtype=backend.integer_dtype)
    assert check_folds(4, on_row, classifier=True) == _sklearn_folds(StratifiedKFold(4), y)


@pytest.mark.parametrize(
    "splitter",
    [
        KFold(4, shuffle=True, random_state=0),
        StratifiedKFold(3, shuffle=True, random_state=1),
        ShuffleSplit(n_splits=3, test_size=0.25, random_state=0),
        StratifiedShuffleSplit(n_splits=2, test_size=0.3, random_state=0),
        RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=0),
    ],
    ids=lambda s: type(s).__name__,
)
def test_a_splitter_object_is_asked_for_its_folds(splitter):
    y = _imbalanced_strings()
    assert check_folds(splitter, y, classifier=True) == _sklearn_folds(splitter, y)


def test_a_splitter_gets_labels_from_the_device(backend):
    y = load_iris(return_X_y=True)[1]
    on_row = backend.asarray(y, dtype=backend.integer_dtype)
    splitter = StratifiedKFold(3, shuffle=True, random_state=0)
    assert check_folds(splitter, on_row, classifier=True) == _sklearn_folds(splitter, y)


def test_a_regressor_splitter_needs_only_the_number_of_rows():
    splitter = KFold(3, shuffle=True, random_state=2)
    expected = _sklearn_folds(splitter, np.zeros(20))
    assert check_folds(splitter, None, classifier=False, n_samples=20) == expected


def test_pairs_are_used_as_given():
    y = np.array([0, 1, 0, 1, 0, 1])
    pairs = [
        (np.array([0, 1, 2, 3]), np.array([4, 5])),
        ([2, 3, 4, 5], (0, 1)),
        (range(0, 4), [5]),
    ]
    folds = check_folds(iter(pairs), y, classifier=True)
    assert folds == [([0, 1, 2, 3], [4, 5]), ([2, 3, 4, 5], [0, 1]), ([0, 1, 2, 3], [5])]
    assert all(isinstance(i, int) for train, test in folds for i in train + test)


def test_pairs_on_a_backend_are_read_back(backend):
    y = np.array([0, 1, 0, 1, 0, 1])
    train, test = (backend.asarray(r, dtype=backend.integer_dtype) for r in ([0, 1, 2, 3], [4, 5]))
    folds = check_folds([(train, test), (test, train)], y, classifier=True)
    assert folds == [([0, 1, 2, 3], [4, 5]), ([4, 5], [0, 1, 2, 3])]


Y6 = np.array([0, 1, 0, 1, 0, 1])


@pytest.mark.parametrize(
    ("cv", "y", "classifier", "message"),
    [
        (1, Y6, True, r"cv=1: cross-validation needs at least 2 folds"),
        (0, Y6, False, r"cv=0: cross-validation needs at least 2 folds"),
        (-3, Y6, False, r"cv=-3"),
        (7, Y6, False, r"cv=7 is larger than the number of samples, n_samples=6"),
        (
            10,
            np.array(["a"] * 20 + ["b"] * 7),
            True,
            r"cv=10 is larger than the 7 samples of class 'b'",
        ),
        (4, Y6, True, r"cv=4 is larger than the 3 samples of class 0"),
        ([([0, 1, 2, 3], [4, 5])], Y6, True, r"cv: the iterable cv gave 1 fold; .* at least 2"),
        ([], Y6, True, r"cv: the iterable cv gave 0 folds"),
        (
            [([0, 2, 4], [1, 3, 5]), ([1, 2, 3], [0, 4, 5])],
            Y6,
            True,
            r"cv: fold 0's training rows have no sample of class 1",
        ),
        (
            [([0, 1, 2, 3], [4, 5]), ([1, 2, 3, 5], [0, 4])],
            np.array([3, 1, 2, 1, 2, 1]),
            True,
            r"cv: fold 1's training rows have no sample of class 3",
        ),
        ([([], [0, 1]), ([0, 1], [2, 3])], Y6, False, r"cv: fold 0 has no training rows"),
        ([([0, 1], [2, 3]), ([0, 1], [])], Y6, False, r"cv: fold 1 has no test rows"),
        (
            [([0, 1], [2, 3]), ([0, 6], [2])],
            Y6,
            False,
            r"cv: fold 1's training rows hold index 6, outside 0 \.\. 5",
        ),
        ([([0, 1], [-1]), ([0, 1], [2])], Y6, False, r"cv: fold 0's test rows hold index -1"),
        (
            [([0.0, 1.0], [2]), ([0, 1], [2])],
            Y6,
            False,
            r"cv: fold 0's training rows must be integer row indices, got 0\.0",
        ),
        (
            [(np.array([True, False]), [2]), ([0, 1], [2])],
            Y6,
            False,
            r"cv: fold 0's training rows must be integer row indices, got True",
        ),
        ([([0, 1], [2, 3], [4]), ([0], [1])], Y6, False, r"cv: fold 0 must be a \(train, test\)"),
        ([1, 2], Y6, False, r"cv: fold 0 must be a \(train, test\) pair"),
        ([({0, 1}, [2]), ([0], [1])], Y6, False, r"cv: fold 0's training rows must be an array"),
        (
            ShuffleSplit(n_splits=2, test_size=0.5, random_state=0),
            np.array([0, 0, 0, 0, 0, 1]),
            True,
            r"cv: fold \d's training rows have no sample of class 1",
        ),
    ],
)
def test_bad_cv_is_refused_naming_cv(cv, y, classifier, message):
    with pytest.raises(ValueError, match=message):
        check_folds(cv, y, classifier=classifier)


# Ids by type and value, none holding a memory address: pytest-xdist's workers must
# collect the same names.
@pytest.mark.parametrize("cv", [2.0, "5", True, object()], ids=["float", "str", "bool", "object"])
def test_cv_of_another_kind_is_a_type_error_naming_cv(cv):
    with pytest.raises(TypeError, match=r"cv must be an integer .* split\(X, y\) .* pairs"):
        check_folds(cv, Y6, classifier=True)


def test_y_and_n_samples_are_checked():
    with pytest.raises(ValueError, match="y is required"):
        check_folds(3, None, classifier=True, n_samples=6)
    with pytest.raises(ValueError, match="needs y or n_samples"):
        check_folds(3, None, classifier=False)
    with pytest.raises(ValueError, match="n_samples=5 but y has 6 rows"):
        check_folds(3, Y6, classifier=False, n_samples=5)
    with pytest.raises(ValueError, match="y must be 1-D"):
        check_folds(3, Y6.reshape(3, 2), classifier=True)


@pytest.mark.parametrize("classes", [None, "labels"], ids=["kfold", "stratified"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chunk_test_folds_are_sklearns_folds_chunk_by_chunk(classes, seed):
    """Random labels (classes first seen in any order) cut into random chunks: each chunk's
    test folds, from the counts before it, are scikit-learn's KFold / StratifiedKFold."""
    rng = np.random.default_rng(seed)
    y = rng.choice([7, 3, 5], size=101, p=[0.5, 0.3, 0.2])
    cuts = np.sort(rng.choice(np.arange(1, 101), size=6, replace=False))
    if classes is None:
        splitter, labels, order = KFold(4), None, [0]
        counts = [len(y)]
    else:
        splitter = StratifiedKFold(4)
        order = list(dict.fromkeys(y.tolist()))  # first appearance
        labels = np.asarray(order)
        counts = [int((y == label).sum()) for label in order]
    bounds = fold_bounds(4, counts, names=order)
    expected = np.empty(len(y), dtype=int)
    for fold, (_, test) in enumerate(splitter.split(y, y)):
        expected[test] = fold
    got = []
    for start, stop in zip([0, *cuts], [*cuts, len(y)], strict=True):
        before = [start] if labels is None else [int((y[:start] == c).sum()) for c in labels]
        got.append(chunk_test_folds(y[start:stop], labels, before, bounds, xp=np))
    np.testing.assert_array_equal(np.concatenate(got), expected)

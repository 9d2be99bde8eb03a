"""The test suite: tests/<package>/test_<module>.py mirror xlogreg/<package>/<module>.py."""

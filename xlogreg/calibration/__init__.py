"""Probability calibration: map a classifier's scores to probabilities that match frequencies.

:class:`CalibratedClassifier` fits a calibrator on data the classifier did
not train on: Platt's sigmoid and temperature scaling with the library's own
Newton solver on the device, isotonic regression by pool-adjacent-violators
on the host (the calibrators live in its private module ``_calibrators.py``). Predictions
stay on the device.
"""

from xlogreg.calibration._classifier import CalibratedClassifier

__all__ = ["CalibratedClassifier"]

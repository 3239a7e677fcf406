import numpy as np

from ml.bootstrap import paired_difference_interval


def test_a_real_improvement_excludes_zero_and_no_difference_does_not():
    rng = np.random.default_rng(2)
    base = rng.normal(0, 1000, 750)
    better = base + 150  # the same days, 150 dollars more each day
    assert paired_difference_interval(better, base, np.mean, reps=300).excludes_zero
    noise = base + rng.normal(0, 1000, 750)
    shifted = noise - noise.mean() + base.mean()  # same mean, different days
    assert not paired_difference_interval(shifted, base, np.mean, reps=300).excludes_zero


def test_the_interval_is_paired_by_day():
    rng = np.random.default_rng(3)
    base = rng.normal(0, 1000, 500)
    # A constant 10-dollar gain is small against daily noise but certain when days are paired.
    interval = paired_difference_interval(base + 10, base, np.mean, reps=300)
    assert interval.low > 9.9 and interval.high < 10.1


def test_the_same_seed_gives_the_same_interval():
    x = np.random.default_rng(5).normal(size=300)
    first = paired_difference_interval(x, x * 0.5, np.std, reps=200, seed=9)
    assert first == paired_difference_interval(x, x * 0.5, np.std, reps=200, seed=9)

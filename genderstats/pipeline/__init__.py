"""The pipeline: the reports registry, the build (kernels, time-outs, cache, lock), the
published pages, the index and staff pages, the command line and the notebook scaffold.

Nothing here computes a statistic: the notebooks do, with :mod:`genderstats.analyses`.
"""

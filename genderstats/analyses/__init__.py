"""The analyses: one module per topic.

Frames and parameters go in; frames, figures, sentences and document blocks
(:mod:`genderstats.present.model`) come out. No module here writes markup.
"""

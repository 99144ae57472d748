"""Fitting a trade-policy classifier on a user's own labelled stories.

`tradewatch train LABELLED.jsonl -o MODEL` (see `cli.py`) reads the stories (`data.py`),
cross-validates and fits a linear model over TF-IDF terms and the rule classifier's own
evidence (`train.py`), and writes it as plain JSON (`model.py`), which the bot loads
instead of the built-in rules when its configuration names the file. Loading a model
reads numbers and words; it never executes code.
"""

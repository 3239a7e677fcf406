"""Risk models: dataset from the marts, walk-forward training, predictions, backtests."""

"""Risk models: dataset from the marts, walk-forward training, predictions, backtests (ARCHITECTURE §5–7)."""

"""The viewer's server process: `riskman app` runs `python -m app.serve run streamlit_app.py ...`.

It imports the libraries the pages use (pandas, DuckDB, Plotly, and LightGBM with scikit-learn
for the audit's rescoring: about 8 s on this machine) before Streamlit starts listening. So the
health endpoint answers only once the viewer is ready, and the first page a browser opens does
not wait for imports. The app's own modules are left to Streamlit: their caches need its runtime.
"""

import sys

from streamlit.web import cli

import app.charts  # noqa: F401 - Plotly, pandas
import ml.monitoring.audit  # noqa: F401 - LightGBM, scikit-learn, DuckDB
import ml.monitoring.overrides  # noqa: F401

if __name__ == "__main__":
    sys.exit(cli.main(prog_name="streamlit"))
